//! `/metrics` against hostile clients, through the real binary on loopback: invented methods
//! and paths cannot add time series, and clients outside `--metrics-allow` get 404.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::helpers::http_client;
use crate::real_use::Served;

fn client() -> reqwest::Client {
    http_client()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn metrics_text(client: &reqwest::Client, base: &str) -> String {
    let response = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics answered");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("text")
}

/// The exposition without its sample values (counts and sums change with every request; the
/// series do not).
fn series(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' ').map(|(name, _)| name.to_owned()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invented_methods_and_paths_add_no_time_series() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite3").display());
    // No webhook worker: its outbox gauges appear on their own schedule.
    let served = Served::start(&url, &["--webhook-concurrency", "0"]);
    let client = client();
    let invented = |n: usize| {
        let name = format!("X{}{n}", "INVENTED".repeat(25));
        Method::from_bytes(name.as_bytes()).expect("a token")
    };
    // One warm-up of each kind, so that the `other` and `unmatched` series exist.
    for path in [
        "/healthz",
        "/no/such/page/1",
        "/api/v1/scheduled-sessions/%FF",
    ] {
        let _ = client
            .request(invented(0), format!("{}{path}", served.base))
            .send()
            .await
            .expect("answered");
    }
    let _ = client
        .get(format!("{}/no/such/page/0", served.base))
        .send()
        .await;
    metrics_text(&client, &served.base).await;
    let before = metrics_text(&client, &served.base).await;
    for n in 1..=3_000 {
        let path = match n % 3 {
            0 => format!("/healthz?{n}"),
            1 => format!("/no/such/page/{n}"),
            _ => format!("/unknown-{n}/x"),
        };
        let status = client
            .request(invented(n), format!("{}{path}", served.base))
            .send()
            .await
            .expect("answered")
            .status();
        assert!(status.is_client_error(), "{n}: {status}");
    }
    let after = metrics_text(&client, &served.base).await;
    assert_eq!(series(&before), series(&after), "no new series");
    let grown = after.len().abs_diff(before.len());
    assert!(grown <= 1024, "/metrics grew by {grown} bytes");
    assert!(
        after.contains("method=\"other\""),
        "invented methods are `other`"
    );
    assert!(!after.contains("INVENTED"));
    assert!(!after.contains("no/such"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_outside_the_allow_list_get_404_from_metrics() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite3").display());
    let client = client();
    // Loopback is allowed by default.
    let served = Served::start(&url, &[]);
    metrics_text(&client, &served.base).await;
    drop(served);
    // Allow only another network: this loopback client is refused like a missing page.
    let served = Served::start(&url, &["--metrics-allow", "10.20.0.0/16"]);
    let refused = client
        .get(format!("{}/metrics", served.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert!(!refused.text().await.unwrap_or_default().contains("sensei_"));
    drop(served);
    // Behind a trusted proxy (loopback here), the forwarded client address counts.
    let served = Served::start(
        &url,
        &[
            "--trusted-proxy",
            "127.0.0.1",
            "--metrics-allow",
            "10.20.0.0/16",
        ],
    );
    let as_client = |forwarded: &'static str| {
        client
            .get(format!("{}/metrics", served.base))
            .header("X-Forwarded-For", forwarded)
            .send()
    };
    assert_eq!(
        as_client("10.20.3.4").await.expect("answered").status(),
        StatusCode::OK
    );
    assert_eq!(
        as_client("198.51.100.9").await.expect("answered").status(),
        StatusCode::NOT_FOUND
    );
    // The forwarded address the client wrote itself (leftmost) is not believed.
    assert_eq!(
        as_client("10.20.3.4, 198.51.100.9")
            .await
            .expect("answered")
            .status(),
        StatusCode::NOT_FOUND
    );
}
