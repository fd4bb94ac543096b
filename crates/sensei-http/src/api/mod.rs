//! The versioned JSON API under `/api/v1` (see `docs/api.md`), described by the OpenAPI document that
//! poem-openapi generates from this code and that the service serves at
//! `/api/v1/openapi.json`, with a reference page rendered on the server from that document
//! (see [`reference`]) at `/api/v1/docs`.
//!
//! Same services, rules and permissions as the pages: the handlers parse input into domain
//! values, call one [`sensei_core::SenseiService`] use case as the signed-in
//! [`sensei_core::Actor`], and map its error in [`error`]. Sign-in shares the pages' session
//! cookie. See `docs/api.md` for curl examples and the forgery protection.

pub mod bearer;
pub mod error;
pub mod export;
pub mod guard;
mod me;
pub mod model;
mod paging;
pub mod reference;
mod scheduling;
pub mod security;
mod sign_in;
mod workflow;

use poem::endpoint::BoxEndpoint;
use poem::middleware::CatchPanic;
use poem::{EndpointExt, Request, Response, Route};
use poem_openapi::{OpenApiService, Tags};

pub use error::{ApiError, ErrorBody, ErrorCode};
pub use me::MeApi;
pub use scheduling::SchedulingApi;
pub use sign_in::SignInApi;
pub use workflow::WorkflowApi;

use sensei_core::Account;

use crate::live::LiveApi;

use crate::auth::viewer::signed_in_account;
use crate::error::AppError;
use crate::state::AppState;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// The API reference page, rendered from the document ([`reference`]).
pub const DOCS_PATH: &str = "/api/v1/docs";

/// The OpenAPI document (JSON).
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

/// The API's version, as the document states it.
pub const VERSION: &str = "1.0.0";

/// Groups of operations in the document.
#[derive(Tags)]
pub enum ApiTags {
    /// Signing in and out.
    Session,
    /// Students booking sensei sessions.
    Bookings,
    /// Instructors working through scheduled sessions: the queue, claims, completion, the
    /// timeline and the history.
    ScheduledSessions,
    /// The signed-in student's own submissions and sessions.
    Me,
}

const DESCRIPTION: &str = "\
The JSON API of sensei scheduling: students book one-to-one sensei sessions for their own \
submissions, see them and cancel them; instructors list, claim, read and complete them, and \
read the history and each session's timeline. The same rules and permissions as the HTML pages \
apply.

**Authentication**: `POST /api/v1/session` with `{\"email\", \"password\"}` sets the private, \
`HttpOnly`, `SameSite=Lax` session cookie `sensei_session` (the same one the pages use); send it \
back on every call. `GET /api/v1/session` tells who is signed in, `DELETE /api/v1/session` signs \
out.

**API tokens** (scripts and services): send `Authorization: Bearer sst_...` on any call to act \
with the token owner's permissions; no cookie and no forgery marker are needed. Tokens are made \
with `sensei token create --user EMAIL` or on the API tokens page (`/account/tokens`), shown \
once, and expire (90 days by default). A token that is mistyped, revoked or expired, or whose \
owner is disabled, answers 401 `invalid_token` with `WWW-Authenticate: Bearer`; such failures \
count against the client address like failed sign-ins (429 `rate_limited`).

**Forgery protection**: every state-changing request (POST, DELETE) signed in with the cookie \
must carry `Content-Type: application/json`, or, when it has no body, an `X-Requested-With` \
header (any value). Browsers send neither cross-site without a CORS preflight, which this \
service never grants.

**CSV**: `GET /api/v1/scheduled-sessions.csv`, or `GET /api/v1/scheduled-sessions` with \
`Accept: text/csv`, answers every session matching the filters (`state` or `status`, `reason`, \
`challenge_id`, `student`, `from`, `to`, `claimed_by_me`, `completed_by_me`) as one streamed \
RFC 4180 file (instructors only; see docs/integrations.md).
";

/// The document's description: [`DESCRIPTION`], then every error code with its status, from
/// the one list of the API's errors ([`error::API_ERRORS`]).
fn description() -> String {
    format!(
        "{DESCRIPTION}\n**Errors** are always `{{\"code\": \"...\", \"message\": \"...\"}}` \
         with a stable snake_case `code`: {}. `ineligible` comes with `unmet_conditions`, \
         `conflict` with `session` (the first completion, kept).",
        error::code::codes_summary()
    )
}

/// Every operation of the API.
pub type Operations = (SignInApi, SchedulingApi, WorkflowApi, MeApi, LiveApi);

/// The OpenAPI service: every operation and the document describing them.
pub fn service() -> OpenApiService<Operations, ()> {
    OpenApiService::new(
        (SignInApi, SchedulingApi, WorkflowApi, MeApi, LiveApi),
        "sensei scheduling API",
        VERSION,
    )
    .description(description())
    .server(PREFIX)
}

/// The OpenAPI document as JSON.
pub fn spec_json() -> String {
    service().spec()
}

/// The API's endpoint, to nest at [`PREFIX`] inside the router that installs the session
/// middleware and the [`crate::AppState`]: the operations, `/openapi.json`, the reference at
/// `/docs` ([`DOCS_PATH`]), JSON errors for everything (unknown paths, wrong methods,
/// malformed input, panics) and the forgery check.
pub fn routes() -> BoxEndpoint<'static, Response> {
    let service = service();
    let spec = service.spec_endpoint();
    let docs = reference::endpoint(&service.spec(), DOCUMENT_PATH);
    Route::new()
        .at("/openapi.json", spec)
        .at(export::CSV_PATH, poem::get(export::scheduled_sessions_csv))
        .nest("/docs", docs)
        .nest("/", service)
        .around(export::csv_when_accepted)
        .around(bearer::bearer_auth)
        .around(guard::json_api)
        .with(CatchPanic::new().with_handler(guard::panic_response))
        .boxed()
}

/// The signed-in user (session cookie, or the trusted header when that mode is on); notes an
/// instructor's presence.
///
/// # Errors
/// 401 `unauthenticated` when nobody is signed in; 400/403/503 from the trusted-header lookup.
pub(crate) async fn require_user(req: &Request) -> Result<Account, AppError> {
    let account = signed_in_account(req)
        .await?
        .ok_or_else(AppError::sign_in_required)?;
    // Every signed-in API call passes here: an instructor's call says they are on duty.
    if let Some(state) = req.data::<AppState>() {
        crate::desk::presence::touch(state, &account).await;
    }
    Ok(account)
}
