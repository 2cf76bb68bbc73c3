//! URL normalisation, so that one page is fetched once however it is linked.

use url::Url;

/// Query parameters that track campaigns and never change the page.
const TRACKING_PARAMS: &[&str] = &["fbclid", "gclid", "mc_cid", "mc_eid", "ref_src", "cmpid", "ocid", "igshid"];

/// Lower-cased scheme and host (the url crate does that), no default port, no fragment, no tracking
/// parameters, remaining parameters sorted. `None` for anything but http(s).
pub fn normalize(raw: &str, base: Option<&Url>) -> Option<Url> {
    let mut url = match base {
        Some(base) => base.join(raw.trim()).ok()?,
        None => Url::parse(raw.trim()).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    if url.port() == default_port(url.scheme()) {
        let _ = url.set_port(None);
    }
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    if params.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(params);
    }
    Some(url)
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// The host (with port, when not the default) that politeness and robots.txt are kept per.
pub fn host_key(url: &Url) -> String {
    match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_ports_fragments_and_trackers() {
        let n = |s: &str| normalize(s, None).map(|u| u.to_string());
        assert_eq!(
            n("HTTPS://News.Example:443/a/b?utm_source=x&id=2&b=1#top").unwrap(),
            "https://news.example/a/b?b=1&id=2"
        );
        assert_eq!(n("http://news.example:80/?fbclid=1").unwrap(), "http://news.example/");
        assert_eq!(n("http://127.0.0.1:8080/x").unwrap(), "http://127.0.0.1:8080/x");
        assert_eq!(n("mailto:desk@news.example"), None);
        let base = Url::parse("https://news.example/world/story").unwrap();
        assert_eq!(normalize("../sport/other#c", Some(&base)).unwrap().as_str(), "https://news.example/sport/other");
    }
}
