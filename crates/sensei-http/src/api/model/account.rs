//! Who is signed in, and the credentials to sign in with.

use poem_openapi::{Enum, Object};
use sensei_core::{Account, Role};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "Role", rename_all = "snake_case")]
pub enum RoleBody {
    /// Books sessions for their own submissions.
    Student,
    /// Works through the queue and completes sessions.
    Instructor,
    /// Everything an instructor does, and what only admins manage.
    Admin,
}

impl From<Role> for RoleBody {
    fn from(role: Role) -> Self {
        match role {
            Role::Student => RoleBody::Student,
            Role::Instructor => RoleBody::Instructor,
            Role::Admin => RoleBody::Admin,
        }
    }
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "User")]
pub struct UserBody {
    /// The user's id.
    pub id: i32,
    /// The user's email.
    pub email: String,
    /// The user's role.
    pub role: RoleBody,
}

impl From<&Account> for UserBody {
    fn from(user: &Account) -> Self {
        Self {
            id: user.id.get(),
            email: user.email.clone(),
            role: user.role.into(),
        }
    }
}

/// Credentials to sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "SignIn")]
pub struct SignInRequest {
    /// The account's email.
    #[oai(validator(min_length = 1, max_length = 320))]
    pub email: String,
    /// The password.
    #[oai(validator(min_length = 1, max_length = 1024))]
    pub password: String,
}
