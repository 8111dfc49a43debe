//! `client.billing().usage_history(..)`: one page of the account's charges, or a whole walk.

use std::collections::HashSet;

use reqwest::Method;

use crate::error::{Error, Operation};
use crate::meta::ApiResponse;
use crate::resources::Billing;
use crate::types::usage::{UsageEntry, UsageFilter, UsageHistory, UsageHistoryQuery};

/// A walk longer than this many pages is taken as a server that never ends it.
const MAX_PAGES: usize = 10_000;

impl Billing<'_> {
    /// `GET /billing/usage-history`: one page, oldest entry first. A first page sends the filters;
    /// a [`UsageHistoryQuery::Next`] sends only its cursor. A refused cursor is a 400: start the
    /// walk again from the first page.
    pub async fn usage_history(
        &self,
        query: &UsageHistoryQuery,
    ) -> Result<ApiResponse<UsageHistory>, Error> {
        let params = query.to_query_string();
        let path = if params.is_empty() {
            "/billing/usage-history".to_string()
        } else {
            format!("/billing/usage-history?{params}")
        };
        self.client
            .json::<(), _>(Operation::UsageHistory, Method::GET, &path, None)
            .await
    }

    /// Every charge `filter` selects (e.g. [`UsageFilter::between`] two times), walking all pages,
    /// oldest first. The answer's meta is the last page's. A cursor seen twice means the walk would
    /// never end: that is an [`Error::InvalidResponse`].
    pub async fn usage_history_all(
        &self,
        filter: &UsageFilter,
    ) -> Result<ApiResponse<Vec<UsageEntry>>, Error> {
        let mut query = UsageHistoryQuery::First(filter.clone());
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self.usage_history(&query).await?;
            let ApiResponse { value, meta } = page;
            entries.extend(value.data);
            match value.next_cursor {
                None => {
                    return Ok(ApiResponse {
                        value: entries,
                        meta,
                    });
                }
                Some(cursor) if !seen.insert(cursor.clone()) => {
                    return Err(Error::InvalidResponse {
                        operation: Operation::UsageHistory,
                        detail: "the same page cursor came back twice".into(),
                        request_id: meta.request_id,
                    });
                }
                Some(cursor) => query = UsageHistoryQuery::Next(cursor),
            }
        }
        Err(Error::InvalidResponse {
            operation: Operation::UsageHistory,
            detail: format!("more than {MAX_PAGES} pages"),
            request_id: None,
        })
    }
}
