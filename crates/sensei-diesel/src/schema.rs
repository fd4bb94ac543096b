//! Diesel table definitions shared by both backends (the same column types on SQLite and
//! PostgreSQL; `VARCHAR` is `Text`, `DATETIME`/`TIMESTAMP` is `Timestamp`).

diesel::table! {
    scheduled_sessions (id) {
        id -> Integer,
        submission_id -> Integer,
        user_id -> Integer,
        eligibility_reason -> Nullable<Text>,
        goals_passed -> Nullable<Integer>,
        goals_engaged -> Nullable<Integer>,
        total_goals -> Nullable<Integer>,
        scheduled_at -> Timestamp,
        session_completed_at -> Nullable<Timestamp>,
        notes -> Nullable<Text>,
        claimed_by -> Nullable<Integer>,
        claim_expires_at -> Nullable<Timestamp>,
        completed_by -> Nullable<Integer>,
        student_notes -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
    }
}

diesel::table! {
    scheduled_session_events (id) {
        id -> Integer,
        session_id -> Integer,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Integer>,
        kind -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    scheduled_session_counts (id) {
        id -> Integer,
        pending_count -> BigInt,
        completed_count -> BigInt,
        cancelled_count -> BigInt,
        changes -> BigInt,
    }
}

diesel::table! {
    calendar_feeds (instructor_id) {
        instructor_id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_preferences (user_id) {
        user_id -> Integer,
        time_zone -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    instructor_presence (user_id) {
        user_id -> Integer,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    instructor_challenges (user_id, challenge_id) {
        user_id -> Integer,
        challenge_id -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    challenges (id) {
        id -> Integer,
        name -> Text,
        description -> Text,
    }
}

diesel::table! {
    goals (id) {
        id -> Integer,
        challenge_id -> Integer,
        title -> Text,
        position -> Integer,
    }
}

diesel::table! {
    submissions (id) {
        id -> Integer,
        user_id -> Integer,
        challenge_id -> Integer,
        submitted_at -> Timestamp,
        content -> Nullable<Text>,
    }
}

diesel::table! {
    reviews (id) {
        id -> Integer,
        submission_id -> Integer,
        verdict -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    goal_progress (id) {
        id -> Integer,
        user_id -> Integer,
        goal_id -> Integer,
        status -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agent_sessions (id) {
        id -> Integer,
        user_id -> Integer,
        challenge_id -> Integer,
        goal_id -> Nullable<Integer>,
        started_at -> Timestamp,
    }
}

diesel::table! {
    agent_messages (id) {
        id -> Integer,
        agent_session_id -> Integer,
        role -> Text,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    anatomy_conversations (id) {
        id -> Integer,
        submission_id -> Integer,
        title -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    anatomy_messages (id) {
        id -> Integer,
        conversation_id -> Integer,
        role -> Text,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Integer,
        url -> Text,
        secret -> Text,
        event_kinds -> Nullable<Text>,
        created_at -> Timestamp,
        down_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> Integer,
        event_id -> Integer,
        created_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        latency_ms -> Integer,
        error -> Nullable<Text>,
        outcome -> Text,
    }
}

diesel::table! {
    email_settings (id) {
        id -> Integer,
        enabled_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_deliveries (id) {
        id -> BigInt,
        kind -> Text,
        event_id -> Nullable<Integer>,
        reset_id -> Nullable<BigInt>,
        recipient_id -> Integer,
        created_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    admin_audit (id) {
        id -> Integer,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Integer>,
        actor_name -> Nullable<Text>,
        kind -> Text,
        subject_user_id -> Nullable<Integer>,
        object_id -> Nullable<BigInt>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    email_opt_outs (user_id) {
        user_id -> Integer,
        opted_out_at -> Timestamp,
    }
}

diesel::table! {
    email_links (digest) {
        digest -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> Integer,
        requested_at -> Timestamp,
        token_digest -> Nullable<Text>,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    session_meetings (session_id, instructor_id) {
        session_id -> Integer,
        instructor_id -> Integer,
        link -> Nullable<Text>,
        starts_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    erasures (id) {
        id -> Integer,
        user_id -> Integer,
        erased_at -> Timestamp,
        in_progress -> Bool,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(scheduled_sessions -> users (user_id));
diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(scheduled_sessions -> submissions (submission_id));
diesel::joinable!(submissions -> challenges (challenge_id));
diesel::joinable!(goals -> challenges (challenge_id));
diesel::joinable!(reviews -> submissions (submission_id));
diesel::joinable!(agent_messages -> agent_sessions (agent_session_id));
diesel::joinable!(anatomy_messages -> anatomy_conversations (conversation_id));
diesel::joinable!(anatomy_conversations -> submissions (submission_id));

diesel::joinable!(scheduled_session_events -> scheduled_sessions (session_id));
diesel::joinable!(calendar_feeds -> users (instructor_id));
diesel::joinable!(user_preferences -> users (user_id));
diesel::joinable!(instructor_presence -> users (user_id));
diesel::joinable!(instructor_challenges -> challenges (challenge_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> scheduled_session_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(email_deliveries -> scheduled_session_events (event_id));
diesel::joinable!(email_deliveries -> password_resets (reset_id));

diesel::allow_tables_to_appear_in_same_query!(
    auth_sessions,
    calendar_feeds,
    user_preferences,
    instructor_presence,
    instructor_challenges,
    scheduled_sessions,
    scheduled_session_events,
    scheduled_session_counts,
    users,
    challenges,
    goals,
    submissions,
    reviews,
    goal_progress,
    agent_sessions,
    agent_messages,
    anatomy_conversations,
    anatomy_messages,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    email_settings,
    email_deliveries,
    email_opt_outs,
    email_links,
    password_resets,
    session_meetings,
    admin_audit,
    erasures,
    api_tokens,
);
