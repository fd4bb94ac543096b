//! Typed ids, so a submission id can never be passed where a user id is expected.

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i32);

        impl $name {
            /// The raw integer as stored in the database.
            pub fn get(self) -> i32 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<i32>().map(Self)
            }
        }

        impl From<i32> for $name {
            fn from(raw: i32) -> Self {
                Self(raw)
            }
        }
    };
}

id_type!(
    /// A platform user (student or instructor).
    UserId
);
id_type!(
    /// A student's submission to a challenge.
    SubmissionId
);
id_type!(
    /// A challenge (an exercise with goals).
    ChallengeId
);
id_type!(
    /// A goal (rubric item) of a challenge.
    GoalId
);
id_type!(
    /// A scheduled sensei session.
    ScheduledSessionId
);
id_type!(
    /// A digi-trainer (AI tutor) session.
    AgentSessionId
);
id_type!(
    /// An anatomy conversation about a submission.
    ConversationId
);
id_type!(
    /// An API token (its record, never its secret).
    ApiTokenId
);
