//! Paging cursors of the list endpoints.

use crate::http::error::{ApiError, ApiResult};

/// A list cursor: the id of the last message of the previous page.
pub fn parse_cursor(cursor: Option<&str>) -> ApiResult<Option<i64>> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                ApiError::bad_request("cursor 无效").suggest("使用上一页响应中的 next_cursor")
            })
        })
        .transpose()
}
