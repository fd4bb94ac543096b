//! Who is asking: the services check access here, once, for pages and API alike.

use super::ids::UserId;

/// A platform role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Submits solutions and books sensei sessions for their own submissions.
    Student,
    /// Reviews the queue of scheduled sessions and completes them.
    Instructor,
}

impl Role {
    /// The stored form (`student` / `instructor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Instructor => "instructor",
        }
    }

    /// Parses the stored form; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Role> {
        match raw.trim() {
            "student" => Some(Role::Student),
            "instructor" | "admin" => Some(Role::Instructor),
            _ => None,
        }
    }
}

/// The signed-in user on whose behalf a use case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: UserId,
    /// The user's role.
    pub role: Role,
}

impl Actor {
    /// A student actor.
    pub fn student(user_id: UserId) -> Self {
        Self {
            user_id,
            role: Role::Student,
        }
    }

    /// An instructor actor.
    pub fn instructor(user_id: UserId) -> Self {
        Self {
            user_id,
            role: Role::Instructor,
        }
    }

    /// Whether this actor may use the instructor queue.
    pub fn is_instructor(&self) -> bool {
        self.role == Role::Instructor
    }
}
