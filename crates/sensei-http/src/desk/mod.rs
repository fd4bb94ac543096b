//! The instructor's desk on the HTTP side: presence is noted where the signed-in user is
//! resolved ([`presence::touch`]), and the challenges an instructor mentors are read for the
//! dashboard (cached in the cookie session, like the time zone) and for the live stream
//! ([`my_challenges::of`]). The rules live in [`sensei_core::services::Desk`].

pub mod my_challenges;
pub mod presence;
