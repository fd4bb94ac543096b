//! The [`Viewer`] extractor: the signed-in user of a page request, or a redirect to `/login`.

use std::net::IpAddr;

use poem::session::Session;
use poem::{FromRequest, Request, RequestBody};
use sensei_core::{Account, Actor, SignInToken};

use super::csrf;
use super::sign_in::{current_account, token_of};
use crate::error::AppError;
use crate::state::AppState;
use crate::zone::{zone_of, ViewerZone};

/// The signed-in account and the cookie's CSRF token (for the forms on the page).
/// Extracting it fails with [`AppError::sign_in_required`] (303 to `/login` on pages) when
/// nobody is signed in.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who is signed in.
    pub account: Account,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// Where the page finds the confirmation of the form just sent
    /// ([`super::flash`]).
    pub flash: super::flash::Flash,
    /// The time zone the page shows times in.
    pub zone: ViewerZone,
}

impl Viewer {
    /// The actor the use cases run as.
    pub fn actor(&self) -> Actor {
        self.account.actor()
    }

    /// The viewer of a page request by `account`: the cookie's CSRF token, the confirmation
    /// waiting for this page, the account's time zone. Notes an instructor's presence.
    ///
    /// # Errors
    /// [`AppError::internal`] when the session middleware or the state is missing, or the
    /// CSRF token cannot be drawn.
    pub async fn of(req: &Request, account: Account) -> Result<Self, AppError> {
        let session = request_session(req)?;
        let csrf_token = csrf::token(session)?;
        let state = request_state(req)?;
        // Every signed-in page passes here: an instructor's page load says they are on duty.
        crate::desk::presence::touch(state, &account).await;
        let zone = zone_of(&state.preferences, session, &account).await;
        Ok(Viewer {
            account,
            csrf_token,
            flash: super::flash::Flash::of(req, session),
            zone,
        })
    }
}

/// Who a page request says it is, read once: the account a trusted proxy vouched for
/// (already looked up), or the cookie's sign-in token, which a use case may resolve together
/// with its page's reads (one trip to the store).
#[derive(Debug, Clone)]
pub enum Claimant {
    /// The account a trusted proxy named.
    Trusted(Account),
    /// The cookie's sign-in token, not checked yet.
    SignIn(SignInToken),
}

impl Claimant {
    /// Who `req` says it is: a trusted proxy's account, else the cookie's sign-in token.
    ///
    /// # Errors
    /// [`AppError::sign_in_required`] when the request carries neither; as
    /// [`trusted_account`] for the header.
    pub async fn of(req: &Request) -> Result<Self, AppError> {
        if let Some(account) = trusted_account(req).await? {
            return Ok(Claimant::Trusted(account));
        }
        token_of(request_session(req)?)
            .map(Claimant::SignIn)
            .ok_or_else(AppError::sign_in_required)
    }

    /// The account, the sign-in token resolved on its own.
    ///
    /// # Errors
    /// [`AppError::sign_in_required`] for a sign-in that ended or expired; unavailable when
    /// the account store fails.
    pub async fn account(self, state: &AppState) -> Result<Account, AppError> {
        match self {
            Claimant::Trusted(account) => Ok(account),
            Claimant::SignIn(token) => state
                .service
                .signed_in_account(&token)
                .await?
                .ok_or_else(AppError::sign_in_required),
        }
    }
}

/// The owner of the request's accepted `Authorization: Bearer` token, a request extension
/// the API's middleware (`crate::api::bearer`) puts in.
#[derive(Debug, Clone)]
pub struct BearerAccount(pub Account);

/// The session of a request (inserted by the session middleware).
///
/// # Errors
/// [`AppError::internal`] when the session middleware is missing.
pub fn request_session(req: &Request) -> Result<&Session, AppError> {
    req.extensions()
        .get::<Session>()
        .ok_or_else(|| AppError::internal("the session middleware is not installed"))
}

/// The application state of a request.
///
/// # Errors
/// [`AppError::internal`] when the state is missing.
pub fn request_state(req: &Request) -> Result<&AppState, AppError> {
    req.data::<AppState>()
        .ok_or_else(|| AppError::internal("the application state is not installed"))
}

/// The IP address of the peer that sent a request, when the transport has one.
pub fn peer_ip(req: &Request) -> Option<IpAddr> {
    req.remote_addr()
        .as_socket_addr()
        .map(|address| address.ip())
}

/// The client's address: the peer's, or the one a trusted proxy forwards
/// ([`crate::client_ip`]); the forwarding header from anyone else is ignored.
pub fn client_ip(req: &Request) -> Option<IpAddr> {
    match req.data::<AppState>() {
        Some(state) => state
            .security
            .trusted_proxies
            .client_of(peer_ip(req), req.headers()),
        None => peer_ip(req).map(crate::client_ip::canonical),
    }
}

/// The signed-in account of a request, if any: the owner of its API token (API only), else
/// from the trusted header when that mode is on and the request came from a listed proxy,
/// else from the cookie's sign-in.
///
/// # Errors
/// Unavailable when the account store fails; forbidden when the trusted header names no
/// known account; bad request when the header is not text or appears twice.
pub async fn signed_in_account(req: &Request) -> Result<Option<Account>, AppError> {
    // An accepted `Authorization: Bearer` token (the API's middleware put its owner here)
    // decides alone: the request acts as the token's owner whatever cookie came with it.
    if let Some(BearerAccount(account)) = req.extensions().get() {
        return Ok(Some(account.clone()));
    }
    if let Some(account) = trusted_account(req).await? {
        return Ok(Some(account));
    }
    current_account(request_state(req)?, request_session(req)?).await
}

/// The account a trusted proxy vouches for, when that mode is on, the request came from a
/// listed proxy and it carries the header; `None` otherwise (then the cookie decides).
///
/// # Errors
/// As [`signed_in_account`].
pub async fn trusted_account(req: &Request) -> Result<Option<Account>, AppError> {
    let state = request_state(req)?;
    let Some(trusted) = state.trusted_header() else {
        return Ok(None);
    };
    // Only a listed proxy may vouch for a user; from anyone else the header is ignored.
    if !peer_ip(req).is_some_and(|peer| trusted.is_trusted_peer(peer)) {
        return Ok(None);
    }
    let mut values = req.headers().get_all(&trusted.name).iter();
    let Some(raw) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(AppError::bad_request(format!(
            "the {} header appears more than once",
            trusted.name
        )));
    }
    let email = raw
        .to_str()
        .map_err(|_| AppError::bad_request("the identity header is not text"))?
        .trim();
    if email.is_empty() {
        return Ok(None);
    }
    Ok(Some(state.service.identify_by_trusted_email(email).await?))
}

impl<'a> FromRequest<'a> for Viewer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let account = signed_in_account(req)
            .await?
            .ok_or_else(AppError::sign_in_required)?;
        Ok(Viewer::of(req, account).await?)
    }
}
