//! The HTTP side of `roster pull`: GET requests to a SCIM server, with a bearer token,
//! certificate checks, timeouts, and retries.
//!
//! The client is ureq (blocking, rustls with the *ring* provider and Mozilla's roots, no
//! async runtime): a command-line tool that reads a few pages one after another needs
//! nothing more, and the dependency tree stays small.
//!
//! - Only GET is ever sent. The token goes in `Authorization: Bearer`, is never printed,
//!   and is not sent on after a redirect to another host.
//! - 429 and 5xx answers, timeouts and broken connections are tried again, waiting what the
//!   server's `Retry-After` asks (at most [`MAX_WAIT`]), else 1, 2, 4, ... seconds.
//! - Any other failure is an error that names the URL, the HTTP status and the SCIM
//!   `detail` of the answer.

use super::pages::{Get, Reply};
use std::time::Duration;
use ureq::http::{Response, StatusCode};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Body;

/// The longest wait between two tries.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// The largest answer read (a page of a SCIM list).
const MAX_BODY: u64 = 1 << 30;

/// How to reach the server.
pub struct Settings {
    /// The SCIM base URL, without a final `/`.
    pub base: String,
    /// The bearer token, if any.
    pub token: Option<String>,
    /// PEM certificates to trust instead of Mozilla's roots.
    pub ca: Option<Vec<u8>>,
    /// The time one request may take, from connecting to the last byte.
    pub timeout: Duration,
    /// How many times a failed request is tried again.
    pub retries: u32,
    /// Whether the host is this machine (no proxy then).
    pub loopback: bool,
}

/// A SCIM server.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
    retries: u32,
    /// Waits between tries (a test shortens them).
    pub sleep: fn(Duration),
    /// Called before a retry with what happened, for stderr.
    pub on_retry: fn(&str),
}

impl Client {
    /// A client for `settings`; a `--ca-file` that holds no certificate is an error.
    pub fn new(settings: Settings) -> Result<Client, String> {
        let mut tls = TlsConfig::builder();
        if let Some(pem) = &settings.ca {
            let mut certs: Vec<Certificate<'static>> = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => certs.push(c),
                    Ok(_) => {}
                    Err(e) => return Err(format!("--ca-file: not PEM certificates: {e}")),
                }
            }
            if certs.is_empty() {
                return Err("--ca-file holds no PEM certificate (BEGIN CERTIFICATE)".into());
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let mut config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .timeout_global(Some(settings.timeout))
            .user_agent(concat!("roster/", env!("CARGO_PKG_VERSION")))
            .accept("application/scim+json, application/json");
        if settings.loopback {
            config = config.proxy(None);
        }
        Ok(Client {
            agent: config.build().new_agent(),
            base: settings.base,
            token: settings.token,
            retries: settings.retries,
            sleep: std::thread::sleep,
            on_retry: |_| {},
        })
    }

    /// The full URL of a path relative to the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn send(&self, url: &str) -> Result<Response<Body>, ureq::Error> {
        let mut request = self.agent.get(url);
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        request.call()
    }
}

impl Get for Client {
    fn get(&mut self, path: &str) -> Result<Reply, String> {
        let url = self.url(path);
        let mut tries = 0u32;
        loop {
            let wait = match self.send(&url) {
                Ok(mut response) => {
                    let status = response.status();
                    if status.is_success() {
                        return match response.body_mut().with_config().limit(MAX_BODY).read_to_vec()
                        {
                            Ok(body) => Ok(Reply::Body(body)),
                            Err(e) if tries < self.retries && transient(&e) => {
                                retry_note(self, &url, &describe(&e), tries);
                                tries += 1;
                                (self.sleep)(backoff(tries));
                                continue;
                            }
                            Err(e) => Err(format!("GET {url}: {}", describe(&e))),
                        };
                    }
                    if matches!(status.as_u16(), 404 | 501) {
                        return Ok(Reply::Missing(status.as_u16()));
                    }
                    let retry = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    if !retry || tries >= self.retries {
                        return Err(refusal(&url, &mut response, tries));
                    }
                    retry_note(self, &url, &format!("HTTP {}", status_text(status)), tries);
                    retry_after(&response).unwrap_or_else(|| backoff(tries + 1))
                }
                Err(e) if tries < self.retries && transient(&e) => {
                    retry_note(self, &url, &describe(&e), tries);
                    backoff(tries + 1)
                }
                Err(e) => return Err(format!("GET {url}: {}{}", describe(&e), hint(&e))),
            };
            tries += 1;
            (self.sleep)(wait.min(MAX_WAIT));
        }
    }
}

fn retry_note(client: &Client, url: &str, what: &str, tries: u32) {
    (client.on_retry)(&format!(
        "GET {url}: {what}; trying again ({} of {})",
        tries + 1,
        client.retries
    ));
}

/// 1, 2, 4, ... seconds, at most [`MAX_WAIT`].
fn backoff(tries: u32) -> Duration {
    Duration::from_secs(1u64 << tries.saturating_sub(1).min(6)).min(MAX_WAIT)
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(response: &Response<Body>) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now()).to_std().unwrap_or_default();
    Some(wait)
}

/// A refused certificate or a failed handshake (rustls reports them through I/O errors).
fn is_tls(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => true,
        ureq::Error::Io(io) => io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()),
        _ => false,
    }
}

/// A failure worth trying again: the network or the server, not the request or TLS.
fn transient(e: &ureq::Error) -> bool {
    !is_tls(e)
        && matches!(
            e,
            ureq::Error::Io(_)
                | ureq::Error::Timeout(_)
                | ureq::Error::ConnectionFailed
                | ureq::Error::BodyStalled
                | ureq::Error::Protocol(_)
        )
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "no answer in time (--timeout)".into(),
        ureq::Error::HostNotFound => "the host name is not known (DNS)".into(),
        ureq::Error::ConnectionFailed => "cannot connect".into(),
        e if is_tls(e) => format!("TLS: {}", e.to_string().trim_start_matches("rustls: ")),
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::BodyExceedsLimit(n) => format!("the answer is larger than {n} bytes"),
        other => other.to_string(),
    }
}

fn hint(e: &ureq::Error) -> &'static str {
    match e {
        e if is_tls(e) => {
            "\n  help: for a server whose certificate a private CA signed, give the CA's \
             certificate with --ca-file FILE (PEM)"
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "\n  help: is the server running, and is the URL's port the right one?"
        }
        ureq::Error::HostNotFound => "\n  help: check the host name of the URL",
        _ => "",
    }
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The error of a refused request: the URL, the status, the SCIM `detail` (RFC 7644
/// section 3.12), and what to check.
fn refusal(url: &str, response: &mut Response<Body>, tries: u32) -> String {
    let status = response.status();
    let body = response.body_mut().with_config().limit(1 << 20).read_to_vec().unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| {
        let detail = v.get("detail").and_then(|d| d.as_str()).map(str::to_owned);
        let kind = v.get("scimType").and_then(|d| d.as_str()).map(|t| format!("scimType {t}"));
        match (detail, kind) {
            (Some(d), Some(k)) => Some(format!("{d} ({k})")),
            (d, k) => d.or(k),
        }
    });
    let mut text = format!("GET {url}: HTTP {}", status_text(status));
    if let Some(d) = detail {
        text.push_str(&format!(": {}", d.trim()));
    }
    if tries > 0 {
        text.push_str(&format!(" (after {tries} retries)"));
    }
    let help = match status.as_u16() {
        401 => {
            "the server did not accept the token: set ROSTER_SCIM_TOKEN or give \
                --token-file FILE with a bearer token it accepts"
        }
        403 => {
            "the token is not allowed to read this: it needs read access to /Users and \
                /Groups"
        }
        400 => "the server refused the paging parameters: try a smaller --page-size",
        _ => "",
    };
    if !help.is_empty() {
        text.push_str("\n  help: ");
        text.push_str(help);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let waits: Vec<u64> = (1..=9).map(|t| backoff(t).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
