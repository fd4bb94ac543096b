//! Name resolution for webhooks, checked against the address policy
//! ([`sensei_core::AddressPolicy`]: public addresses and `--webhook-allow` ranges).
//!
//! * [`SystemResolver`]: the operating system's resolver (`getaddrinfo` on Tokio's blocking
//!   pool), bounded in time; for the add-time check (the core's [`HostResolver`] port) and
//!   as the base of the delivery client's resolver.
//! * [`CheckedResolver`]: the delivery client's resolver (`reqwest::dns::Resolve`). It keeps
//!   only the permitted addresses of a name, so the client connects to an address that was
//!   checked, the one just resolved: a name that resolves to a public address when the
//!   endpoint is added and to `127.0.0.1` later (DNS rebinding) fails at connect time. A name
//!   with no permitted address fails with "refused: ...".

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sensei_core::ports::HostResolver;
use sensei_core::AddressPolicy;

/// How long the add-time check waits for a name to resolve; a name that takes longer is
/// accepted then and checked when a delivery connects.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// The operating system's resolver.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

#[async_trait]
impl HostResolver for SystemResolver {
    async fn resolve(&self, name: &str, port: u16) -> Vec<IpAddr> {
        let lookup = tokio::net::lookup_host((name.to_owned(), port));
        match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
            Ok(Ok(addresses)) => addresses.map(|address| address.ip()).collect(),
            Ok(Err(_)) | Err(_) => Vec::new(),
        }
    }
}

/// Fixed answers (tests and tools): each name to its addresses; other names do not
/// resolve.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver(pub HashMap<String, Vec<IpAddr>>);

#[async_trait]
impl HostResolver for StaticResolver {
    async fn resolve(&self, name: &str, _port: u16) -> Vec<IpAddr> {
        self.0.get(name).cloned().unwrap_or_default()
    }
}

/// The delivery client's resolver: `base`'s answers, only the permitted ones.
#[derive(Clone)]
pub struct CheckedResolver {
    base: Arc<dyn HostResolver>,
    policy: AddressPolicy,
}

/// A name that resolved to nothing, or to nothing webhooks may go to.
#[derive(Debug, thiserror::Error)]
pub enum ResolveRefusal {
    /// Nothing came back.
    #[error("could not resolve {0}")]
    Unresolved(String),
    /// Only refused addresses came back.
    #[error("refused: {name} resolves only to addresses webhooks may not go to ({addresses})")]
    NotAllowed {
        /// The name.
        name: String,
        /// What it resolved to.
        addresses: String,
    },
}

impl CheckedResolver {
    /// Over `base`, keeping what `policy` permits.
    pub fn new(base: Arc<dyn HostResolver>, policy: AddressPolicy) -> Self {
        Self { base, policy }
    }

    /// The permitted addresses of `name`.
    ///
    /// # Errors
    /// [`ResolveRefusal`] when none is left.
    pub async fn permitted(&self, name: &str) -> Result<Vec<IpAddr>, ResolveRefusal> {
        // The port is set by the client afterwards; 0 asks for the addresses only.
        let all = self.base.resolve(name, 0).await;
        if all.is_empty() {
            return Err(ResolveRefusal::Unresolved(name.to_owned()));
        }
        let (permitted, refused): (Vec<IpAddr>, Vec<IpAddr>) =
            all.into_iter().partition(|ip| self.policy.permits(*ip));
        if permitted.is_empty() {
            let addresses: Vec<String> = refused.iter().map(ToString::to_string).collect();
            return Err(ResolveRefusal::NotAllowed {
                name: name.to_owned(),
                addresses: addresses.join(", "),
            });
        }
        Ok(permitted)
    }
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            let permitted = this.permitted(name.as_str()).await?;
            let addrs: Addrs = Box::new(
                permitted
                    .into_iter()
                    .map(|ip| SocketAddr::new(ip, 0))
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(policy: AddressPolicy) -> CheckedResolver {
        let names = HashMap::from([
            (
                "loopback.test".to_owned(),
                vec!["127.0.0.1".parse().unwrap()],
            ),
            (
                "mixed.test".to_owned(),
                vec![
                    "10.0.0.1".parse().unwrap(),
                    "93.184.216.34".parse().unwrap(),
                ],
            ),
        ]);
        CheckedResolver::new(Arc::new(StaticResolver(names)), policy)
    }

    #[tokio::test]
    async fn only_permitted_addresses_of_a_name_are_connected_to() {
        let strict = resolver(AddressPolicy::default());
        let refusal = strict.permitted("loopback.test").await.unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "refused: loopback.test resolves only to addresses webhooks may not go to \
             (127.0.0.1)"
        );
        assert_eq!(
            strict.permitted("mixed.test").await.unwrap(),
            ["93.184.216.34".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            strict
                .permitted("nowhere.test")
                .await
                .unwrap_err()
                .to_string(),
            "could not resolve nowhere.test"
        );
        let loopback = resolver(AddressPolicy::allowing(vec!["127.0.0.0/8"
            .parse()
            .unwrap()]));
        assert_eq!(
            loopback.permitted("loopback.test").await.unwrap(),
            ["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
    }
}
