//! The Venice account behind the key: its balance, fetched like every other call, with the
//! engine's backoff and failure budget (so a flaky network is retried and a dead one cannot push
//! the key towards Venice's lock-out).

use venice::BillingBalance;

use super::Studio;
use crate::Error;

impl Studio {
    /// The key's balance and whether it may spend now.
    pub async fn balance(&self) -> Result<BillingBalance, Error> {
        let client = &self.shared.client;
        let response = venice::retry::run(&self.shared.backoff, || async {
            client.billing().balance().await
        })
        .await?;
        Ok(response.value)
    }
}
