//! Who is asking: the services check access here, once, for pages and API alike.

use super::ids::UserId;

/// A platform role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Submits solutions and books sensei sessions for their own submissions.
    Student,
    /// Reviews the queue of scheduled sessions and completes them.
    Instructor,
    /// Everything an instructor does, and managing what only admins manage (the platform's
    /// `users.role` value `admin`).
    Admin,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Role; 3] = [Role::Student, Role::Instructor, Role::Admin];

    /// The stored form (`student` / `instructor` / `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Instructor => "instructor",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored form, ignoring surrounding whitespace and letter case; anything
    /// else is `None`.
    ///
    /// ```
    /// use sensei_core::Role;
    /// assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
    /// assert_eq!(Role::parse("teacher"), None);
    /// ```
    pub fn parse(raw: &str) -> Option<Role> {
        let raw = raw.trim();
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(raw))
    }

    /// Whether this role has the instructor's permissions (instructors and admins).
    pub fn is_instructor(self) -> bool {
        matches!(self, Role::Instructor | Role::Admin)
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

    /// Whether this actor may use the instructor queue (instructors and admins).
    pub fn is_instructor(&self) -> bool {
        self.role.is_instructor()
    }

    /// Whether this actor may manage webhook endpoints (admins only).
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Who reads the instructors' views (the queue, a session's timeline): a signed-in actor, or
/// the platform's own code embedding the core behind its own access control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// A signed-in user: the services check their role.
    Actor(Actor),
    /// The embedding platform's code (the Python package's `Scheduler`), trusted to have
    /// checked access itself. It reads what instructors read; it is nobody, so it cannot
    /// claim, complete or cancel (those take an [`Actor`]) and appears in no audit trail.
    TrustedEmbedder,
}

impl Reader {
    /// Whether this reader may read the instructors' views.
    pub fn reads_as_instructor(self) -> bool {
        match self {
            Reader::Actor(actor) => actor.is_instructor(),
            Reader::TrustedEmbedder => true,
        }
    }
}

impl From<Actor> for Reader {
    fn from(actor: Actor) -> Self {
        Reader::Actor(actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_is_stored_as_admin_and_keeps_every_instructor_permission() {
        assert_eq!(Role::parse(" admin "), Some(Role::Admin));
        assert_eq!(Role::Admin.as_str(), "admin");
        let admin = Actor {
            user_id: UserId(1),
            role: Role::Admin,
        };
        assert!(admin.is_instructor() && admin.is_admin());
        assert!(!Actor::instructor(UserId(2)).is_admin());
        assert!(!Actor::student(UserId(3)).is_instructor());
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_instructors_and_the_trusted_embedder_read_as_instructors() {
        assert!(Reader::TrustedEmbedder.reads_as_instructor());
        assert!(Reader::from(Actor::instructor(UserId(2))).reads_as_instructor());
        assert!(!Reader::from(Actor::student(UserId(3))).reads_as_instructor());
    }
}
