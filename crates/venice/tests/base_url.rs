//! The key travels in every request's `Authorization` header, so the client refuses a base URL
//! that would carry it over the network in clear text: plain `http` only to this machine.
#![allow(clippy::unwrap_used)]

use venice::{ApiKey, Client, ClientConfig, Error};

fn client(url: &str) -> Result<Client, Error> {
    Client::new(ClientConfig::new(ApiKey::new("sk-test-0123456789")).base_url(url))
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    for url in [
        "http://api.venice.ai/api/v1",
        "http://192.168.1.10:8787/api/v1",
        "http://127.0.0.1.example.com/api/v1",
    ] {
        match client(url) {
            Err(Error::Config(message)) => {
                assert!(message.contains("https"), "{url}: {message}");
            }
            other => panic!("{url} was accepted: {other:?}"),
        }
    }
    for url in [
        "https://api.venice.ai/api/v1",
        "http://127.0.0.1:8787/api/v1",
        "http://localhost:8787/api/v1",
        "http://[::1]:8787/api/v1",
    ] {
        assert!(client(url).is_ok(), "{url} is refused");
    }
}
