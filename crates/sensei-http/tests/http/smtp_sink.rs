//! A loopback SMTP sink for the email tests: a tokio TCP server on 127.0.0.1 speaking enough
//! SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to take messages from lettre, and
//! keeping each message's envelope recipients and raw text.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// A message the sink took.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope recipients (`RCPT TO`).
    pub recipients: Vec<String>,
    /// The message as sent (dot-unstuffed), CRLF line ends.
    pub raw: String,
}

impl Mail {
    /// The header section (up to the first empty line), unfolded.
    pub fn headers(&self) -> Vec<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let mut lines: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = lines.last_mut() {
                    last.push_str(line);
                    continue;
                }
            }
            lines.push(line.to_owned());
        }
        lines
    }

    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers().into_iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The decoded text of the part with this content type (quoted-printable or base64 or
    /// plain).
    pub fn part(&self, content_type: &str) -> Option<String> {
        let start = self.raw.find(&format!("Content-Type: {content_type}"))?;
        let rest = &self.raw[start..];
        let body_start = rest.find("\r\n\r\n")? + 4;
        let head = &rest[..body_start];
        let body = &rest[body_start..];
        let boundary = self
            .raw
            .split("boundary=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|boundary| format!("\r\n--{boundary}"))?;
        let end = body.find(&boundary).unwrap_or(body.len());
        let body = &body[..end];
        if head.contains("base64") {
            use base64::Engine;
            let joined: String = body.split("\r\n").collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .ok()?;
            return String::from_utf8(bytes).ok();
        }
        if head.contains("quoted-printable") {
            return Some(decode_qp(body));
        }
        Some(body.to_owned())
    }
}

fn decode_qp(body: &str) -> String {
    let mut bytes = Vec::new();
    let raw = body.replace("=\r\n", "");
    let raw = raw.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' && i + 2 < raw.len() {
            if let Ok(byte) = u8::from_str_radix(&String::from_utf8_lossy(&raw[i + 1..i + 3]), 16) {
                bytes.push(byte);
                i += 3;
                continue;
            }
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A running sink.
pub struct SmtpSink {
    address: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    arrived: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// A sink on a free loopback port.
    pub async fn start() -> SmtpSink {
        Self::start_on("127.0.0.1:0").await
    }

    /// A sink on this address.
    pub async fn start_on(address: &str) -> SmtpSink {
        let listener = TcpListener::bind(address).await.unwrap();
        let address = listener.local_addr().unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (keep, notify) = (mails.clone(), arrived.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (keep, notify) = (keep.clone(), notify.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, keep, notify).await;
                });
            }
        });
        SmtpSink {
            address,
            mails,
            arrived,
            task,
        }
    }

    /// `smtp://127.0.0.1:PORT` (no TLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// The messages so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until at least `count` messages arrived; all of them.
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            // Polled as well as notified: a message may land between the check and the wait.
            let notified = self.arrived.notified();
            let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            if tokio::time::Instant::now() >= deadline {
                panic!("expected {count} emails, got {}: {:#?}", mails.len(), mails);
            }
        }
    }
}

impl Drop for SmtpSink {
    /// Stops listening (connections refused from then on).
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback address nobody listens on (bound, then closed).
pub async fn closed_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

async fn serve(
    stream: TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
    arrived: Arc<Notify>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut recipients = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let read = tokio::time::timeout(Duration::from_secs(30), lines.read_line(&mut line))
            .await
            .map_err(|_| std::io::Error::other("idle"))??;
        if read == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO")
            || command.starts_with("MAIL")
            || command.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if command.starts_with("RSET") {
            recipients.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT") {
            let address = line.trim_end()[8..]
                .trim()
                .trim_matches(['<', '>'])
                .to_owned();
            recipients.push(address);
            b"250 OK\r\n"
        } else if command.starts_with("DATA") {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut raw = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                let text = line.strip_prefix('.').unwrap_or(&line);
                raw.push_str(text);
            }
            mails.lock().unwrap().push(Mail {
                recipients: std::mem::take(&mut recipients),
                raw,
            });
            arrived.notify_waiters();
            b"250 queued\r\n"
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}
