//! `GET /ai-policy`: the published AI policy, generated from the running configuration, as HTML
//! (for people) or JSON (for machines).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use candor_core::Lang;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;

/// Query of the policy page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyPageParams {
    /// `da`, `nl`, `de` or `en` (default `en`).
    lang: Option<String>,
    /// `html` (default) or `json`; `Accept: application/json` also selects JSON.
    format: Option<String>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The published AI policy: where AI is used, which data, purposes, retention, how decisions
/// are made and explained, how to opt out, reach a person and complain, who is responsible.
#[utoipa::path(get, path = "/ai-policy", params(PolicyPageParams),
    responses((status = 200, description = "HTML page, or JSON {language, title, sections, facts}"), (status = 422, description = "Unknown language or format")),
    tag = "operations")]
pub(crate) async fn ai_policy(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<PolicyPageParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            e.body_text(),
        )
    })?;
    let lang = match params.lang.as_deref() {
        None => Lang::EN,
        Some(code) => code
            .parse::<Lang>()
            .ok()
            .filter(|l| candor_pipeline::explain::explanation_languages().contains(l))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("lang: `{code}` is not a language the policy is published in"),
                )
                .with_field("lang")
            })?,
    };
    let accepts_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let json = match params.format.as_deref() {
        None => accepts_json,
        Some("json") => true,
        Some("html") => false,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("format: `{other}` is not `html` or `json`"),
            )
            .with_field("format"));
        }
    };
    let policy = state.pipeline.ai_policy(lang);
    if json {
        return Ok(Json(policy).into_response());
    }
    let mut body = String::new();
    for (key, text) in &policy.sections {
        body.push_str(&format!(
            "<section id=\"{key}\"><p>{}</p></section>\n",
            escape(text)
        ));
    }
    let page = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><main><h1>{title}</h1>\n{body}</main></body></html>\n",
        lang = policy.language,
        title = escape(&policy.title),
    );
    Ok(Html(page).into_response())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
