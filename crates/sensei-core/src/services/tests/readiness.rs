//! Readiness: the service asks the sessions store and reports its answer as it is.

use super::*;
use crate::error::RepositoryError;

#[tokio::test]
async fn the_service_is_ready_exactly_when_the_sessions_store_is() {
    let mut mocks = Mocks::default();
    mocks
        .sessions
        .expect_check_ready()
        .times(1)
        .returning(|| Ok(()));
    assert_eq!(mocks.service().check_ready().await, Ok(()));

    let mut mocks = Mocks::default();
    mocks
        .sessions
        .expect_check_ready()
        .times(1)
        .returning(|| Err(RepositoryError::Unavailable("schema missing".into())));
    assert_eq!(
        mocks.service().check_ready().await,
        Err(RepositoryError::Unavailable("schema missing".into()))
    );
}
