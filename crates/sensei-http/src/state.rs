//! What every handler shares: the domain service (every use case, sign-in included, over its
//! ports) and the security settings. No database handle: handlers parse, call one use case and
//! render, so a handler test can run on mocked ports. Cheap to clone.

use std::sync::Arc;

use poem::web::cookie::CookieKey;
use sensei_core::ports::{
    EmailStore, MeetingStore, NoApiTokens, NoCalendarFeeds, NoDesk, NoEmail, NoMeetings,
    NoPreferences, PasswordHasher, ScheduledSessionRepository, SystemClock, WebhookStore,
};
use sensei_core::services::{
    AccountService, ApiTokenService, CalendarFeeds, Desk, EmailPorts, EmailService, Preferences,
    WebhookService,
};
use sensei_core::{PasswordFormat, Ports, RetryPolicy, SenseiService};
use sensei_diesel::Database;

use crate::calendar::OsRandom;
use crate::client_ip::TrustedProxies;
use crate::config::{AppConfig, TrustedHeader};
use crate::passwords::HashingWorkers;
use crate::throttle::SignInThrottle;
use crate::webhooks::jitter::OsJitter;
use crate::webhooks::unconfigured::NoWebhooks;
use crate::zone::ZoneCatalog;

/// Security settings fixed at start-up.
pub struct Security {
    /// Encrypts and authenticates the session cookie.
    pub cookie_key: CookieKey,
    /// Whether the session cookie is `Secure`.
    pub cookie_secure: bool,
    /// The trusted identity header and its proxies, if that mode is on.
    pub trusted_header: Option<TrustedHeader>,
    /// Sign-in rate limits.
    pub sign_in_throttle: SignInThrottle,
    /// The proxies whose forwarded client address counts.
    pub trusted_proxies: TrustedProxies,
}

/// The application state.
#[derive(Clone)]
pub struct AppState {
    /// The use cases, over their ports.
    pub service: SenseiService,
    /// Instructors' calendar feeds (a service of its own: embedders may offer none).
    pub calendar: CalendarFeeds,
    /// Keys and identity settings.
    pub security: Arc<Security>,
    /// Webhook endpoints and their delivery (a service of its own: see its docs).
    pub webhooks: WebhookService,
    /// Each viewer's preferences (the time zone pages show times in).
    pub preferences: Preferences,
    /// The instructor's desk: who is on duty, and the challenges each mentors
    /// ([`NoDesk`] over mocked ports: nobody on duty, every challenge shown).
    pub desk: Desk,
    /// Email to students, opt-out and reset links (a service of its own: see its docs).
    pub email: EmailService,
    /// Hashes passwords set through a reset link (`None` over mocked ports: no reset).
    pub password_hasher: Option<Arc<dyn PasswordHasher>>,
    /// How those hashes are written (`--password-format`).
    pub password_format: PasswordFormat,
    /// Account management for admins' pages (`None` over ports without an account store:
    /// those pages then answer 503).
    pub accounts: Option<AccountService>,
    /// API tokens: `Authorization: Bearer` on the API, and the owners' page.
    pub tokens: ApiTokenService,
}

/// The configured cookie key could not be used.
#[derive(Debug, thiserror::Error)]
#[error("the cookie key is unusable: {0}")]
pub struct KeyError(String);

impl AppState {
    /// The state over this database's ports (passwords verified on the [`HashingWorkers`]: one
    /// check per core and at most their memory budget at a time) and
    /// configuration.
    ///
    /// # Errors
    /// [`KeyError`] when the cookie key holds fewer than 64 bytes.
    pub fn new(database: Database, config: &AppConfig) -> Result<Self, KeyError> {
        // One set of hashing workers for checks and new hashes: one memory budget.
        let hashing = Arc::new(HashingWorkers::default());
        let ports = Ports {
            passwords: hashing.clone(),
            ..database.ports()
        };
        let accounts = AccountService::new(
            Arc::new(database.accounts()),
            hashing.clone(),
            ports.clock.clone(),
        );
        let meetings: Arc<dyn MeetingStore> = Arc::new(database.meetings());
        let calendar = CalendarFeeds::new(
            Arc::new(database.calendar_feeds()),
            ports.sessions.clone(),
            Arc::new(OsRandom),
            ports.clock.clone(),
            &config.policy,
        )
        .with_meetings(meetings.clone());
        let tokens = ApiTokenService::new(
            Arc::new(database.api_tokens()),
            ports.accounts.clone(),
            Arc::new(OsRandom),
            ports.clock.clone(),
        );
        let clock = ports.clock.clone();
        let sessions = ports.sessions.clone();
        let mut state = Self::over_ports(ports, config)?
            .with_calendar(calendar)
            .with_api_tokens(tokens);
        state.webhooks = webhook_service(Arc::new(database.webhooks()), config);
        state.preferences = Preferences::new(
            Arc::new(database.preferences()),
            Arc::new(ZoneCatalog),
            clock.clone(),
        );
        state.desk = Desk::new(Arc::new(database.desk()), clock.clone());
        state.accounts = Some(accounts);
        state.service = state
            .service
            .with_meetings(meetings.clone())
            .with_wait_history(Arc::new(database.wait_history()));
        state.email = email_service(Arc::new(database.email()), sessions, meetings, config);
        state.password_hasher = Some(hashing);
        Ok(state)
    }

    /// This state with these calendar feeds instead.
    pub fn with_calendar(self, calendar: CalendarFeeds) -> Self {
        Self { calendar, ..self }
    }

    /// This state with this desk instead (a test clock, say).
    pub fn with_desk(self, desk: Desk) -> Self {
        Self { desk, ..self }
    }

    /// This state with these API tokens instead (a test clock, say).
    pub fn with_api_tokens(self, tokens: ApiTokenService) -> Self {
        Self { tokens, ..self }
    }

    /// The state over any ports (mocks in handler tests, an embedder's own stores), with no
    /// calendar feeds ([`NoCalendarFeeds`]; see [`AppState::with_calendar`]) and no API
    /// tokens ([`NoApiTokens`]; see [`AppState::with_api_tokens`]).
    ///
    /// # Errors
    /// [`KeyError`] when the cookie key holds fewer than 64 bytes.
    pub fn over_ports(ports: Ports, config: &AppConfig) -> Result<Self, KeyError> {
        let cookie_key = CookieKey::try_from(config.cookie_key.bytes())
            .map_err(|error| KeyError(error.to_string()))?;
        let calendar = CalendarFeeds::new(
            Arc::new(NoCalendarFeeds),
            ports.sessions.clone(),
            Arc::new(OsRandom),
            ports.clock.clone(),
            &config.policy,
        );
        let preferences = Preferences::new(
            Arc::new(NoPreferences),
            Arc::new(ZoneCatalog),
            ports.clock.clone(),
        );
        let desk = Desk::new(Arc::new(NoDesk), ports.clock.clone());
        let tokens = ApiTokenService::new(
            Arc::new(NoApiTokens),
            ports.accounts.clone(),
            Arc::new(OsRandom),
            ports.clock.clone(),
        );
        let email = email_service(
            Arc::new(NoEmail),
            ports.sessions.clone(),
            Arc::new(NoMeetings),
            config,
        );
        Ok(Self {
            calendar,
            preferences,
            desk,
            tokens,
            email,
            password_hasher: None,
            password_format: config.email.password_format,
            service: SenseiService::new(ports, config.policy),
            security: Arc::new(Security {
                cookie_key,
                cookie_secure: config.cookie_secure,
                trusted_header: config.trusted_header.clone(),
                sign_in_throttle: SignInThrottle::new(config.sign_in_limits),
                trusted_proxies: config.trusted_proxies.clone(),
            }),
            webhooks: webhook_service(Arc::new(NoWebhooks), config),
            accounts: None,
        })
    }

    /// The trusted identity header and its proxies, if that mode is on.
    pub fn trusted_header(&self) -> Option<&TrustedHeader> {
        self.security.trusted_header.as_ref()
    }
}

/// The webhook use cases over `store`, with the configured first retry wait.
fn webhook_service(store: Arc<dyn WebhookStore>, config: &AppConfig) -> WebhookService {
    let retry = RetryPolicy::default().with_base(
        chrono::Duration::from_std(config.webhooks.retry_base)
            .unwrap_or(RetryPolicy::default().base),
    );
    WebhookService::new(store, Arc::new(SystemClock), Arc::new(OsJitter), retry).with_address_check(
        config.webhooks.address_policy(),
        Some(Arc::new(crate::webhooks::resolve::SystemResolver)),
    )
}

/// The email use cases over `store`, sending when an SMTP server is configured, with the
/// configured first retry wait.
fn email_service(
    store: Arc<dyn EmailStore>,
    sessions: Arc<dyn ScheduledSessionRepository>,
    meetings: Arc<dyn MeetingStore>,
    config: &AppConfig,
) -> EmailService {
    let retry = RetryPolicy::default().with_base(
        chrono::Duration::from_std(config.email.retry_base).unwrap_or(RetryPolicy::default().base),
    );
    EmailService::new(
        EmailPorts {
            store,
            sessions,
            meetings,
            clock: Arc::new(SystemClock),
            jitter: Arc::new(OsJitter),
            random: Arc::new(OsRandom),
        },
        retry,
        config.email.smtp_url.is_some(),
    )
}
