//! `GET /admin`: the instructor dashboard: stat cards and the **Scheduled Sessions** queue
//! (open sessions, pending or claimed, with their holders), oldest first, keyset-paged with
//! `?after=<cursor>`, filtered by `reason`, `challenge`, `student` and `mine=1` (claimed by
//! me). Without `challenge` the queue shows the viewer's "my challenges" unless `all=1`; the
//! page lists who is on duty, and carries the live stream's address and regions for
//! `static/live.js` (the page is complete without it).

use askama::Template;
use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{handler, Request, Response};
use sensei_core::services::Dashboard;
use sensei_core::{
    ChallengeId, EligibilityReason, InstructorActions, PageRequest, SessionCursor,
    SessionListEntry, SessionQuery, StatusFilter,
};
use serde::Deserialize;

use super::dashboard_desk::{on_duty_views, ChallengeScope, OnDutyView};
use super::dashboard_read::{read_dashboard, Wanted};
use super::html;
use super::layout::Nav;
use crate::auth::viewer::Claimant;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::list_filters::{parse_challenge, parse_cursor, parse_flag, parse_reason, parse_student};
use crate::presentation;
use crate::state::AppState;
use crate::zone::ViewerZone;

/// One queue row.
#[derive(Debug, Clone)]
pub struct QueueRow {
    /// The session's id.
    pub id: i32,
    /// The submission's id.
    pub submission_id: i32,
    /// The student's email.
    pub student: String,
    /// The challenge's name.
    pub challenge: String,
    /// The badge label.
    pub reason_label: String,
    /// The badge's CSS modifier.
    pub reason_class: &'static str,
    /// `X passed, Y engaged / Z total`.
    pub progress: String,
    /// When it was booked.
    pub scheduled: String,
    /// Who holds it and until when, or `—`.
    pub holder: String,
    /// Whether the viewer holds it (Release is offered).
    pub mine: bool,
    /// Whether nobody holds it (Claim is offered).
    pub claimable: bool,
}

/// An option of the reason filter.
#[derive(Debug, Clone)]
pub struct ReasonOption {
    /// The stored form.
    pub value: &'static str,
    /// The badge label.
    pub label: &'static str,
    /// Whether it is the current filter.
    pub selected: bool,
}

/// The dashboard.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The `Pending scheduled sessions` card.
    pub pending_count: u64,
    /// The completed card.
    pub completed_count: u64,
    /// The `Claimed by me` card.
    pub claimed_by_me: u64,
    /// Whether the "mine" filter is on.
    pub mine: bool,
    /// The forms' CSRF token.
    pub csrf_token: String,
    /// This page of the queue.
    pub rows: Vec<QueueRow>,
    /// The reason filter's options.
    pub reason_options: Vec<ReasonOption>,
    /// The challenge filter's value.
    pub challenge_filter: String,
    /// The student filter's value.
    pub student_filter: String,
    /// Whether any filter is set.
    pub filtered: bool,
    /// The next page, if any.
    pub next_href: Option<String>,
    /// The first page, when not on it.
    pub first_href: Option<String>,
    /// The CSV export of every session these filters show.
    pub export_href: String,
    /// Which challenges the queue shows, in words, when not simply all.
    pub scope_note: Option<String>,
    /// "Show all challenges" (`?all=1`), when the queue shows only the viewer's.
    pub all_href: Option<String>,
    /// "Show my challenges", when the viewer asked for all.
    pub mine_href: Option<String>,
    /// Whether the filter form keeps `all=1`.
    pub all: bool,
    /// The live stream for this page's challenges.
    pub live_stream: String,
    /// Instructors active in the last five minutes, and what each holds.
    pub on_duty: Vec<OnDutyView>,
}

/// The dashboard's query string, as sent.
#[derive(Debug, Default, Deserialize)]
struct RawParams {
    after: Option<String>,
    reason: Option<String>,
    challenge: Option<String>,
    student: Option<String>,
    mine: Option<String>,
    all: Option<String>,
}

/// The checked filters and page.
#[derive(Debug, Default, Clone)]
struct Params {
    reason: Option<EligibilityReason>,
    challenge: Option<ChallengeId>,
    student: Option<String>,
    mine: bool,
    all: bool,
    after: Option<SessionCursor>,
}

fn parse_params(query: Option<&str>) -> Result<Params, AppError> {
    let raw: RawParams = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::bad_request("The query string is malformed."))?;
    let reason = parse_reason(raw.reason)?;
    let challenge = parse_challenge(raw.challenge, "challenge")?;
    let student = parse_student(raw.student)?;
    let after = parse_cursor(raw.after)?;
    let mine = parse_flag(raw.mine, "mine")?;
    let all = parse_flag(raw.all, "all")?;
    Ok(Params {
        reason,
        challenge,
        student,
        mine,
        all,
        after,
    })
}

/// The dashboard's address for these filters, starting after `after`.
fn href(params: &Params, after: Option<&SessionCursor>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(reason) = params.reason {
        pairs.push(("reason", reason.as_str().to_owned()));
    }
    if let Some(challenge) = params.challenge {
        pairs.push(("challenge", challenge.to_string()));
    }
    if let Some(student) = &params.student {
        pairs.push(("student", student.clone()));
    }
    if params.mine {
        pairs.push(("mine", "1".to_owned()));
    }
    if params.all {
        pairs.push(("all", "1".to_owned()));
    }
    if let Some(after) = after {
        pairs.push(("after", after.encode()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(query) if !query.is_empty() => format!("/admin?{query}"),
        _ => "/admin".to_owned(),
    }
}

/// The CSV export of the sessions the dashboard shows with these filters, every page.
fn export_href(params: &Params) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("state", "open".to_owned())];
    if let Some(reason) = params.reason {
        pairs.push(("reason", reason.as_str().to_owned()));
    }
    if let Some(challenge) = params.challenge {
        pairs.push(("challenge_id", challenge.to_string()));
    }
    if let Some(student) = &params.student {
        pairs.push(("student", student.clone()));
    }
    if params.mine {
        pairs.push(("claimed_by_me", "1".to_owned()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("/admin/export.csv?{query}")
}

fn queue_row(
    entry: &SessionListEntry,
    actions: &InstructorActions,
    now: DateTime<Utc>,
    zone: ViewerZone,
) -> QueueRow {
    let session = &entry.session;
    QueueRow {
        holder: presentation::holder(session, entry.holder_email.as_deref(), now, zone),
        mine: actions.held_by_viewer,
        claimable: actions.claim,
        id: session.id.get(),
        submission_id: session.submission_id.get(),
        student: entry.student_email.clone(),
        challenge: entry.challenge_name.clone(),
        reason_label: presentation::recorded_reason_label(&session.reason),
        reason_class: presentation::reason_class(&session.reason),
        progress: presentation::progress(&session.engagement),
        scheduled: zone.datetime(&session.scheduled_at),
    }
}

/// `GET /admin`: instructors only (students 403, anonymous 303 to `/login`); 400 for
/// unknown filters or a malformed cursor. A cookie's sign-in is resolved together with the
/// page's reads (one unit of database work) when the challenges to show are known without
/// it (named in the URL, `all=1`, or "my challenges" cached in the cookie session); a trusted
/// proxy's user is looked up first. Then the on-duty list (one statement).
#[handler]
pub async fn dashboard(state: Data<&AppState>, req: &Request) -> Result<Response, AppError> {
    let claimant = Claimant::of(req).await?;
    let params = match parse_params(req.uri().query()) {
        Ok(params) => params,
        Err(bad_query) => {
            // Who is asking still comes first: a sign-in that ended goes to the sign-in page.
            claimant.account(&state).await?;
            return Err(bad_query);
        }
    };
    let wanted = Wanted {
        filters: filters(&params),
        mine_only: params.mine,
        all: params.all,
        page: PageRequest {
            after: params.after,
            ..PageRequest::default()
        },
    };
    let (account, scope, reads) = read_dashboard(&state, req, claimant, wanted).await?;
    let viewer = Viewer::of(req, account).await?;
    // After `Viewer::of`, which notes the viewer's presence: they see themselves on duty.
    let on_duty = state
        .desk
        .on_duty(viewer.actor())
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let mut page = DashboardPage::new(&viewer, &params, &reads);
    page.with_desk(&params, &scope, on_duty_views(&on_duty, viewer.zone));
    html(&page, StatusCode::OK)
}

/// The queue's query for these filters (the challenge scope and "mine" are applied by
/// [`read_dashboard`]).
fn filters(params: &Params) -> SessionQuery {
    SessionQuery {
        status: StatusFilter::Open,
        reason: params.reason,
        challenge_id: params.challenge,
        student_email_contains: params.student.clone(),
        ..SessionQuery::default()
    }
}

impl DashboardPage {
    /// The page for `viewer` with these filters.
    fn new(viewer: &Viewer, params: &Params, reads: &Dashboard) -> Self {
        let filtered = params.reason.is_some()
            || params.challenge.is_some()
            || params.student.is_some()
            || params.mine;
        DashboardPage {
            nav: Nav::for_viewer(viewer),
            pending_count: reads.pending_count,
            completed_count: reads.completed_count,
            claimed_by_me: reads.claimed_by_me,
            mine: params.mine,
            csrf_token: viewer.csrf_token.clone(),
            rows: reads
                .rows()
                .map(|(entry, actions)| queue_row(entry, actions, reads.as_of, viewer.zone))
                .collect(),
            reason_options: EligibilityReason::ALL
                .iter()
                .map(|reason| ReasonOption {
                    value: reason.as_str(),
                    label: presentation::reason_label(*reason),
                    selected: params.reason == Some(*reason),
                })
                .collect(),
            challenge_filter: params
                .challenge
                .map(|challenge| challenge.to_string())
                .unwrap_or_default(),
            student_filter: params.student.clone().unwrap_or_default(),
            filtered,
            next_href: reads
                .page
                .next
                .as_ref()
                .map(|next| href(params, Some(next))),
            first_href: params.after.map(|_| href(params, None)),
            export_href: export_href(params),
            scope_note: None,
            all_href: None,
            mine_href: None,
            all: params.all,
            live_stream: ChallengeScope::All { asked: false }.stream_href(),
            on_duty: Vec::new(),
        }
    }

    /// Adds the desk's pieces: the challenge scope's note, links and stream, and who is on
    /// duty.
    fn with_desk(&mut self, params: &Params, scope: &ChallengeScope, on_duty: Vec<OnDutyView>) {
        self.scope_note = scope.note();
        self.all_href = scope.offers_all().then(|| {
            let all = Params {
                all: true,
                after: None,
                ..params.clone()
            };
            href(&all, None)
        });
        self.mine_href = scope.offers_mine().then(|| {
            let mine = Params {
                all: false,
                after: None,
                ..params.clone()
            };
            href(&mine, None)
        });
        self.live_stream = scope.stream_href();
        self.on_duty = on_duty;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_bad_ones_are_refused() {
        let params =
            parse_params(Some("reason=needs_work_feedback&challenge=3&student=ali")).unwrap();
        assert_eq!(params.reason, Some(EligibilityReason::NeedsWorkFeedback));
        assert_eq!(params.challenge, Some(ChallengeId(3)));
        assert_eq!(params.student.as_deref(), Some("ali"));
        assert!(parse_params(Some("reason=&challenge=&student="))
            .unwrap()
            .reason
            .is_none());
        assert!(parse_params(Some("reason=bogus")).is_err());
        assert!(parse_params(Some("challenge=abc")).is_err());
        assert!(parse_params(Some("after=zzz")).is_err());
        assert!(parse_params(Some("mine=1")).unwrap().mine);
        assert!(!parse_params(Some("mine=0")).unwrap().mine);
        assert!(parse_params(Some("mine=yes")).is_err());
        assert!(parse_params(None).is_ok());
    }

    #[test]
    fn the_export_link_keeps_the_filters() {
        let params = parse_params(Some(
            "reason=needs_work_feedback&challenge=3&student=a b&mine=1",
        ))
        .unwrap();
        assert_eq!(
            export_href(&params),
            "/admin/export.csv?state=open&reason=needs_work_feedback&challenge_id=3&student=a+b\
             &claimed_by_me=1"
        );
    }

    #[test]
    fn links_keep_the_filters() {
        let params = parse_params(Some("reason=digi_trainer_engagement&student=a b")).unwrap();
        assert_eq!(
            href(&params, None),
            "/admin?reason=digi_trainer_engagement&student=a+b"
        );
    }
}
