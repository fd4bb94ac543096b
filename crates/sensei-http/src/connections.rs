//! Client connections under limits, so that slow or idle clients cannot hold the server's
//! sockets: at most N connections open at once (further clients wait in the listen backlog),
//! and a request's headers must arrive in full within a deadline. Idle keep-alive connections
//! are closed by the server's idle timeout (see [`crate::startup`]).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{sleep, Sleep};

/// Accepts connections from `inner` while fewer than the limit are open, each wrapped in a
/// [`HeaderDeadline`].
pub struct LimitedAcceptor<A> {
    inner: A,
    permits: Arc<Semaphore>,
    header_timeout: Duration,
}

impl<A> LimitedAcceptor<A> {
    /// At most `max_connections` open at once; headers within `header_timeout`.
    pub fn new(inner: A, max_connections: usize, header_timeout: Duration) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(max_connections.max(1))),
            header_timeout,
        }
    }
}

impl<A: Acceptor> Acceptor for LimitedAcceptor<A> {
    type Io = HeaderDeadline<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    fn accept(
        &mut self,
    ) -> impl Future<Output = io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)>> + Send {
        let permits = self.permits.clone();
        let header_timeout = self.header_timeout;
        async move {
            // Waiting here leaves further clients in the kernel's backlog instead of opening
            // more sockets than the process can hold.
            let permit = permits.acquire_owned().await.map_err(io::Error::other)?;
            let (io, local, remote, scheme) = self.inner.accept().await?;
            Ok((
                HeaderDeadline::new(io, header_timeout, permit),
                local,
                remote,
                scheme,
            ))
        }
    }
}

/// Where a connection is in its request cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request's headers to end (`\r\n\r\n`); the deadline runs.
    Headers,
    /// Headers received; the body and the response follow, under the idle timeout only.
    Request,
    /// A response was written; the next byte starts a new request's headers.
    BetweenRequests,
}

/// A connection whose request headers must arrive within a deadline: from connecting (or from
/// the first byte of a later request on a keep-alive connection) to the blank line that ends
/// the headers. A connection past its deadline fails its read, and the server closes it.
pub struct HeaderDeadline<S> {
    inner: S,
    timeout: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
    phase: Phase,
    /// The last bytes read, to find a `\r\n\r\n` split across reads.
    tail: Vec<u8>,
    _permit: OwnedSemaphorePermit,
}

impl<S> HeaderDeadline<S> {
    fn new(inner: S, timeout: Duration, permit: OwnedSemaphorePermit) -> Self {
        Self {
            inner,
            timeout,
            deadline: Some(Box::pin(sleep(timeout))),
            phase: Phase::Headers,
            tail: Vec::with_capacity(8),
            _permit: permit,
        }
    }

    /// Looks at newly read bytes: starts a request's deadline at its first byte, ends it at
    /// the end of its headers.
    fn observe(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.phase == Phase::BetweenRequests {
            self.phase = Phase::Headers;
            self.deadline = Some(Box::pin(sleep(self.timeout)));
            self.tail.clear();
        }
        if self.phase != Phase::Headers {
            return;
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.windows(4).any(|window| window == b"\r\n\r\n") {
            self.phase = Phase::Request;
            self.deadline = None;
            self.tail.clear();
        } else {
            let keep = self.tail.len().saturating_sub(3);
            self.tail.drain(..keep);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeaderDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                // Only headers are scanned: body bytes and responses pass untouched.
                if this.phase != Phase::Request {
                    this.observe(buf.filled().get(before..).unwrap_or_default());
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                let expired = this
                    .deadline
                    .as_mut()
                    .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready());
                if expired {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the request headers did not arrive in time",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeaderDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.phase == Phase::Request {
            self.phase = Phase::BetweenRequests;
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.phase == Phase::Request {
            self.phase = Phase::BetweenRequests;
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt};

    use super::*;

    async fn wrapped(
        timeout: Duration,
    ) -> (
        HeaderDeadline<tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
    ) {
        let (server, client) = duplex(1024);
        let permit = Arc::new(Semaphore::new(1)).acquire_owned().await.unwrap();
        (HeaderDeadline::new(server, timeout, permit), client)
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_never_finishes_its_headers_is_cut_off_at_the_deadline() {
        let (mut server, mut client) = wrapped(Duration::from_secs(10)).await;
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let mut buf = [0_u8; 64];
        assert!(server.read(&mut buf).await.unwrap() > 0);
        let error = server.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test(start_paused = true)]
    async fn complete_headers_stop_the_clock_and_the_next_request_restarts_it() {
        let (mut server, mut client) = wrapped(Duration::from_secs(10)).await;
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r")
            .await
            .unwrap();
        let mut buf = [0_u8; 64];
        assert!(server.read(&mut buf).await.unwrap() > 0);
        client.write_all(b"\n").await.unwrap();
        assert!(server.read(&mut buf).await.unwrap() > 0);
        assert_eq!(server.phase, Phase::Request);
        server.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        assert_eq!(server.phase, Phase::BetweenRequests);
        // Idle between requests: no header deadline (the idle timeout applies instead).
        tokio::time::advance(Duration::from_secs(60)).await;
        client.write_all(b"GET /two HTTP/1.1\r\n").await.unwrap();
        assert!(server.read(&mut buf).await.unwrap() > 0);
        assert_eq!(server.phase, Phase::Headers);
        let error = server.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
