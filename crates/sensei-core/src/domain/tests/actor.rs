//! Roles as stored in the platform's `users.role` column.

use crate::domain::{Actor, Role, UserId};

#[test]
fn every_role_has_its_stored_form_and_reads_back_from_it() {
    let stored = [
        (Role::Student, "student"),
        (Role::Instructor, "instructor"),
        (Role::Admin, "admin"),
    ];
    assert_eq!(Role::ALL.map(Role::as_str), stored.map(|(_, text)| text));
    for (role, text) in stored {
        assert_eq!(role.as_str(), text);
        assert_eq!(Role::parse(text), Some(role), "{text}");
        assert_eq!(Role::parse(&text.to_uppercase()), Some(role), "{text}");
        assert_eq!(Role::parse(&format!("\t{text} \n")), Some(role), "{text}");
    }
}

#[test]
fn anything_else_is_no_role() {
    for raw in [
        "",
        "  ",
        "teacher",
        "students",
        "stud",
        "admin istrator",
        "xyzzy",
    ] {
        assert_eq!(Role::parse(raw), None, "{raw:?}");
    }
}

#[test]
fn instructors_and_admins_have_the_instructors_permissions_and_only_admins_the_admins() {
    let user = UserId(4);
    let cases = [
        (Role::Student, false, false),
        (Role::Instructor, true, false),
        (Role::Admin, true, true),
    ];
    for (role, instructor, admin) in cases {
        let actor = Actor {
            user_id: user,
            role,
        };
        assert_eq!(role.is_instructor(), instructor, "{role:?}");
        assert_eq!(actor.is_instructor(), instructor, "{role:?}");
        assert_eq!(actor.is_admin(), admin, "{role:?}");
    }
    assert_eq!(Actor::student(user).role, Role::Student);
    assert_eq!(Actor::instructor(user).role, Role::Instructor);
    assert_eq!(Actor::instructor(user).user_id, user);
}
