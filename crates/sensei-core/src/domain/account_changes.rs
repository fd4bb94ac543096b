//! Who changed what: the changes to accounts, roles, tokens and webhook endpoints that are
//! recorded for admins, who made them, and the rule that an admin always remains.
//!
//! A change is stored with ids only (the account, the endpoint, the token), never an email
//! or a secret: the list shows the account's current email, so erasing a person
//! ([`AccountChange::Erased`]) leaves no copy of their email here.

use chrono::{DateTime, Utc};

use super::actor::Role;
use super::ids::UserId;
use super::webhooks::{WebhookEndpointId, WebhookHost, WebhookUrl};

/// The text that replaces a person's words (notes, cancel reasons, event details) when
/// they are erased; the database's append-only guard accepts exactly this value.
pub const ERASED_TEXT: &str = "[erased]";

/// The email an erased account keeps: unique, not deliverable (`.invalid` is reserved by
/// RFC 2606), and saying nothing about the person.
///
/// ```
/// use sensei_core::{erased_email, UserId};
/// assert_eq!(erased_email(UserId(7)), "erased-7@invalid");
/// ```
pub fn erased_email(user: UserId) -> String {
    format!("erased-{}@invalid", user.0)
}

/// Whether `email` is the tombstone [`erased_email`] gives an erased account (such an account
/// is never changed again: no role, password or enabling brings the person back).
///
/// ```
/// use sensei_core::{is_erased_email, UserId, erased_email};
/// assert!(is_erased_email(&erased_email(UserId(7))));
/// assert!(is_erased_email(" ERASED-7@invalid "));
/// assert!(!is_erased_email("erased-x@invalid"));
/// assert!(!is_erased_email("amy@example.com"));
/// ```
pub fn is_erased_email(email: &str) -> bool {
    crate::normalize_email(email)
        .strip_prefix("erased-")
        .and_then(|rest| rest.strip_suffix("@invalid"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeActor {
    /// Someone with the database at hand (the command line): `cli`, or `cli:` and the OS
    /// user when known.
    Operator(String),
    /// A signed-in user (an admin on a page).
    User(UserId),
}

impl ChangeActor {
    /// The signed-in user's id, if a user made the change.
    pub fn user(&self) -> Option<UserId> {
        match self {
            ChangeActor::User(user) => Some(*user),
            ChangeActor::Operator(_) => None,
        }
    }

    /// The operator's name, if an operator made the change.
    pub fn operator(&self) -> Option<&str> {
        match self {
            ChangeActor::Operator(name) => Some(name),
            ChangeActor::User(_) => None,
        }
    }
}

/// What kind of change, as stored (`account_added`, `role_changed`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountChangeKind {
    /// [`AccountChange::AccountAdded`].
    AccountAdded,
    /// [`AccountChange::AccountImported`].
    AccountImported,
    /// [`AccountChange::RoleChanged`].
    RoleChanged,
    /// [`AccountChange::PasswordSet`].
    PasswordSet,
    /// [`AccountChange::Disabled`].
    Disabled,
    /// [`AccountChange::Enabled`].
    Enabled,
    /// [`AccountChange::Erased`].
    Erased,
    /// [`AccountChange::WebhookEndpointAdded`].
    WebhookEndpointAdded,
    /// [`AccountChange::WebhookEndpointRemoved`].
    WebhookEndpointRemoved,
    /// [`AccountChange::TokenCreated`].
    TokenCreated,
    /// [`AccountChange::TokenRevoked`].
    TokenRevoked,
}

impl AccountChangeKind {
    /// Every kind.
    pub const ALL: [AccountChangeKind; 11] = [
        AccountChangeKind::AccountAdded,
        AccountChangeKind::AccountImported,
        AccountChangeKind::RoleChanged,
        AccountChangeKind::PasswordSet,
        AccountChangeKind::Disabled,
        AccountChangeKind::Enabled,
        AccountChangeKind::Erased,
        AccountChangeKind::WebhookEndpointAdded,
        AccountChangeKind::WebhookEndpointRemoved,
        AccountChangeKind::TokenCreated,
        AccountChangeKind::TokenRevoked,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountChangeKind::AccountAdded => "account_added",
            AccountChangeKind::AccountImported => "account_imported",
            AccountChangeKind::RoleChanged => "role_changed",
            AccountChangeKind::PasswordSet => "password_set",
            AccountChangeKind::Disabled => "disabled",
            AccountChangeKind::Enabled => "enabled",
            AccountChangeKind::Erased => "erased",
            AccountChangeKind::WebhookEndpointAdded => "webhook_added",
            AccountChangeKind::WebhookEndpointRemoved => "webhook_removed",
            AccountChangeKind::TokenCreated => "token_created",
            AccountChangeKind::TokenRevoked => "token_revoked",
        }
    }

    /// Parses the stored form; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A change worth recording. Each carries ids, never an email, a password, a hash or a
/// secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// An account was added (`sensei user add`, the accounts page).
    AccountAdded {
        /// The new account.
        user: UserId,
        /// Its role.
        role: Role,
    },
    /// An account was added by an import (`sensei user import`, the page's CSV form).
    AccountImported {
        /// The new account.
        user: UserId,
        /// Its role.
        role: Role,
    },
    /// An account's role changed.
    RoleChanged {
        /// The account.
        user: UserId,
        /// The role before.
        from: Role,
        /// The role now.
        to: Role,
    },
    /// A password was set (the password and its hash are never recorded).
    PasswordSet {
        /// The account.
        user: UserId,
    },
    /// An account was disabled (its sign-ins ended).
    Disabled {
        /// The account.
        user: UserId,
    },
    /// A disabled account was enabled again.
    Enabled {
        /// The account.
        user: UserId,
    },
    /// A person's data was erased (recorded by id: the email is gone).
    Erased {
        /// The account.
        user: UserId,
    },
    /// A webhook endpoint was added.
    WebhookEndpointAdded {
        /// The endpoint.
        endpoint: WebhookEndpointId,
        /// Where it points: its host only (credentials in URLs are never shown).
        host: String,
    },
    /// A webhook endpoint was removed.
    WebhookEndpointRemoved {
        /// The endpoint.
        endpoint: WebhookEndpointId,
    },
    /// An API token was created (for API tokens: recorded by their store in the token's
    /// transaction; nothing writes it until tokens exist).
    TokenCreated {
        /// The token's owner.
        user: UserId,
        /// The token's id (never the token).
        token: i64,
    },
    /// An API token was revoked (see [`AccountChange::TokenCreated`]).
    TokenRevoked {
        /// The token's owner.
        user: UserId,
        /// The token's id.
        token: i64,
    },
}

impl AccountChange {
    /// An endpoint added at `url`: only its host is kept (at most 200 characters; a URL's
    /// user name, password, path and query are never recorded).
    pub fn webhook_added(endpoint: WebhookEndpointId, url: &WebhookUrl) -> Self {
        let host = match url.host() {
            WebhookHost::Address(address) => address.to_string(),
            WebhookHost::Name(name) => name.chars().take(200).collect(),
        };
        AccountChange::WebhookEndpointAdded { endpoint, host }
    }

    /// Its kind.
    pub fn kind(&self) -> AccountChangeKind {
        match self {
            AccountChange::AccountAdded { .. } => AccountChangeKind::AccountAdded,
            AccountChange::AccountImported { .. } => AccountChangeKind::AccountImported,
            AccountChange::RoleChanged { .. } => AccountChangeKind::RoleChanged,
            AccountChange::PasswordSet { .. } => AccountChangeKind::PasswordSet,
            AccountChange::Disabled { .. } => AccountChangeKind::Disabled,
            AccountChange::Enabled { .. } => AccountChangeKind::Enabled,
            AccountChange::Erased { .. } => AccountChangeKind::Erased,
            AccountChange::WebhookEndpointAdded { .. } => AccountChangeKind::WebhookEndpointAdded,
            AccountChange::WebhookEndpointRemoved { .. } => {
                AccountChangeKind::WebhookEndpointRemoved
            }
            AccountChange::TokenCreated { .. } => AccountChangeKind::TokenCreated,
            AccountChange::TokenRevoked { .. } => AccountChangeKind::TokenRevoked,
        }
    }

    /// The account it concerns, if any.
    pub fn subject_user(&self) -> Option<UserId> {
        match self {
            AccountChange::AccountAdded { user, .. }
            | AccountChange::AccountImported { user, .. }
            | AccountChange::RoleChanged { user, .. }
            | AccountChange::PasswordSet { user }
            | AccountChange::Disabled { user }
            | AccountChange::Enabled { user }
            | AccountChange::Erased { user }
            | AccountChange::TokenCreated { user, .. }
            | AccountChange::TokenRevoked { user, .. } => Some(*user),
            AccountChange::WebhookEndpointAdded { .. }
            | AccountChange::WebhookEndpointRemoved { .. } => None,
        }
    }

    /// The other thing it concerns (an endpoint's or a token's id), if any.
    pub fn object_id(&self) -> Option<i64> {
        match self {
            AccountChange::WebhookEndpointAdded { endpoint, .. }
            | AccountChange::WebhookEndpointRemoved { endpoint } => Some(i64::from(endpoint.get())),
            AccountChange::TokenCreated { token, .. }
            | AccountChange::TokenRevoked { token, .. } => Some(*token),
            _ => None,
        }
    }

    /// A short detail: the roles of a role change, the role of a new account, an
    /// endpoint's host.
    pub fn detail(&self) -> Option<String> {
        match self {
            AccountChange::AccountAdded { role, .. }
            | AccountChange::AccountImported { role, .. } => Some(role.as_str().to_owned()),
            AccountChange::RoleChanged { from, to, .. } => {
                Some(format!("{} → {}", from.as_str(), to.as_str()))
            }
            AccountChange::WebhookEndpointAdded { host, .. } => Some(host.clone()),
            _ => None,
        }
    }
}

/// A change to record, with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccountChange {
    /// When (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub actor: ChangeActor,
    /// What.
    pub change: AccountChange,
}

/// A recorded change, as the admins' list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedChange {
    /// Its id (newer changes have larger ids).
    pub id: i64,
    /// When (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub actor: ChangeActor,
    /// The acting user's current email, when a user acted.
    pub actor_email: Option<String>,
    /// What kind of change.
    pub kind: AccountChangeKind,
    /// The account it concerns, if any.
    pub subject_user: Option<UserId>,
    /// That account's current email.
    pub subject_email: Option<String>,
    /// The endpoint's or token's id, if any.
    pub object_id: Option<i64>,
    /// The short detail.
    pub detail: Option<String>,
}

/// Where an account stands for the last-admin rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminStanding {
    /// Its role.
    pub role: Role,
    /// Whether it may sign in.
    pub enabled: bool,
}

impl AdminStanding {
    /// An enabled admin.
    pub fn is_active_admin(self) -> bool {
        self.enabled && self.role == Role::Admin
    }
}

/// The change would leave no enabled admin: nobody could manage accounts any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this is the last enabled admin: make another account admin first, or nobody could \
     manage accounts any more"
)]
pub struct LastAdmin;

/// The last-admin rule: an account may go from `before` to `after` (a role change, a
/// disabling, an erasure as `enabled: false`) unless it is an enabled admin now, would not be
/// one after, and `other_active_admins` (enabled admins besides it) is zero. Stores call it
/// inside the change's transaction, with the count read there, so two admins demoting each
/// other at once cannot both succeed.
///
/// ```
/// use sensei_core::{keeps_an_admin, AdminStanding, Role};
/// let admin = AdminStanding { role: Role::Admin, enabled: true };
/// let student = AdminStanding { role: Role::Student, enabled: true };
/// assert!(keeps_an_admin(admin, student, 0).is_err());
/// assert!(keeps_an_admin(admin, student, 1).is_ok());
/// ```
///
/// # Errors
/// [`LastAdmin`] when the change would leave no enabled admin.
pub fn keeps_an_admin(
    before: AdminStanding,
    after: AdminStanding,
    other_active_admins: u64,
) -> Result<(), LastAdmin> {
    if before.is_active_admin() && !after.is_active_admin() && other_active_admins == 0 {
        Err(LastAdmin)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: AdminStanding = AdminStanding {
        role: Role::Admin,
        enabled: true,
    };

    #[test]
    fn the_last_enabled_admin_is_kept() {
        let disabled = AdminStanding {
            enabled: false,
            ..ADMIN
        };
        let instructor = AdminStanding {
            role: Role::Instructor,
            enabled: true,
        };
        assert_eq!(keeps_an_admin(ADMIN, disabled, 0), Err(LastAdmin));
        assert_eq!(keeps_an_admin(ADMIN, instructor, 0), Err(LastAdmin));
        assert_eq!(keeps_an_admin(ADMIN, ADMIN, 0), Ok(()));
        assert_eq!(keeps_an_admin(ADMIN, instructor, 1), Ok(()));
        // A disabled admin is no active admin: changing it never locks anyone out.
        assert_eq!(keeps_an_admin(disabled, instructor, 0), Ok(()));
        assert_eq!(keeps_an_admin(instructor, disabled, 0), Ok(()));
        assert!(LastAdmin.to_string().contains("make another account admin"));
    }

    #[test]
    fn kinds_round_trip_and_changes_hold_no_secrets() {
        for kind in AccountChangeKind::ALL {
            assert_eq!(AccountChangeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AccountChangeKind::parse("dropped"), None);
        let change = AccountChange::RoleChanged {
            user: UserId(3),
            from: Role::Student,
            to: Role::Admin,
        };
        assert_eq!(change.kind(), AccountChangeKind::RoleChanged);
        assert_eq!(change.subject_user(), Some(UserId(3)));
        assert_eq!(change.detail().as_deref(), Some("student → admin"));
        assert_eq!(
            AccountChange::PasswordSet { user: UserId(3) }.detail(),
            None
        );
        let token = AccountChange::TokenRevoked {
            user: UserId(3),
            token: 11,
        };
        assert_eq!(token.object_id(), Some(11));
        assert_eq!(token.kind().as_str(), "token_revoked");
    }
}
