//! `/session`: sign in, who am I, sign out (a sign-in, never to be confused with a scheduled
//! session).

use poem::session::Session;
use poem::web::Data;
use poem::Request;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::error::{Problem, SignInErrors, SignOutErrors, WhoAmIErrors};
use super::model::{SignInRequest, UserBody};
use super::security::ApiAuth;
use super::{require_user, ApiTags};
use crate::auth::sign_in::{sign_in, sign_out};
use crate::auth::viewer::client_ip;
use crate::state::AppState;

/// The session operations.
pub struct SignInApi;

/// Signed out.
#[derive(ApiResponse)]
pub enum SignedOut {
    /// The session cookie is removed (also when nobody was signed in).
    #[oai(status = 204)]
    Done,
}

#[OpenApi]
impl SignInApi {
    /// Sign in
    ///
    /// Checks the email and password and starts a new session: the response sets the
    /// `sensei_session` cookie (a fresh session id; whatever the previous session held is
    /// dropped). Wrong credentials answer 401 `invalid_credentials`.
    #[oai(
        path = "/session",
        method = "post",
        operation_id = "signIn",
        tag = "ApiTags::Session"
    )]
    async fn sign_in(
        &self,
        req: &Request,
        state: Data<&AppState>,
        session: &Session,
        body: Json<SignInRequest>,
    ) -> Result<Json<UserBody>, Problem<SignInErrors>> {
        let Json(credentials) = body;
        let account = sign_in(
            &state,
            session,
            client_ip(req),
            &credentials.email,
            credentials.password,
        )
        .await?;
        Ok(Json(UserBody::from(&account)))
    }

    /// Who am I
    ///
    /// The signed-in user; 401 `unauthenticated` when nobody is.
    #[oai(
        path = "/session",
        method = "get",
        operation_id = "currentUser",
        tag = "ApiTags::Session"
    )]
    async fn current_user(
        &self,
        req: &Request,
        _auth: ApiAuth,
    ) -> Result<Json<UserBody>, Problem<WhoAmIErrors>> {
        let user = require_user(req).await?;
        Ok(Json(UserBody::from(&user)))
    }

    /// Sign out
    ///
    /// Ends the session (server-side: a copy of the cookie no longer works either) and removes
    /// the cookie. Has no body, so it needs an
    /// `X-Requested-With` header (or `Content-Type: application/json`).
    #[oai(
        path = "/session",
        method = "delete",
        operation_id = "signOut",
        tag = "ApiTags::Session"
    )]
    async fn sign_out(
        &self,
        state: Data<&AppState>,
        session: &Session,
        /// Any value; required unless the request has `Content-Type: application/json`.
        #[oai(name = "X-Requested-With")]
        requested_with: Header<Option<String>>,
    ) -> Result<SignedOut, Problem<SignOutErrors>> {
        let _ = requested_with;
        sign_out(&state, session).await?;
        Ok(SignedOut::Done)
    }
}
