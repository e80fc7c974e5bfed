//! Outbound safety: the server only talks to storage endpoints it is
//! allowed to. Sellers type in endpoint URLs, so without this check a seller
//! could make the server probe its own network or a cloud metadata service.
//!
//! Rules: https only, unless `storage_allow_http`; loopback, private,
//! link-local and shared (CGNAT) addresses only with
//! `storage_allow_private_endpoints` (self-hosted MinIO on the same host is
//! a real use); cloud-metadata, unspecified, broadcast and multicast
//! addresses never. Host names are resolved and every address is checked.
//! The check runs when a connection is saved and again before each use, so a
//! name later re-pointed at a private address is caught at that use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

/// What the server settings allow.
#[derive(Debug, Clone, Copy)]
pub struct EndpointPolicy {
    /// Plain `http://` endpoints.
    pub allow_http: bool,
    /// Loopback, private, link-local and CGNAT addresses.
    pub allow_private: bool,
}

/// Cloud metadata services, refused whatever the settings say.
const METADATA: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// Parses and normalises an endpoint URL (scheme, host, port; no path,
/// credentials or query), without resolving it.
pub fn parse_endpoint(raw: &str, policy: EndpointPolicy) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|_| {
        "is not a valid URL (e.g. https://s3.eu-central-1.amazonaws.com)".to_string()
    })?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => return Err("must use https (plain http is switched off on this server)".into()),
        _ => return Err("must start with https://".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials; use the access key fields".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
        return Err("must be the service's base URL, without a path or query".into());
    }
    if url.host().is_none() {
        return Err("must name a host".into());
    }
    Ok(url)
}

/// Whether the server may connect to `ip`; the error says why not.
pub fn check_ip(ip: IpAddr, policy: EndpointPolicy) -> Result<(), String> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if METADATA.contains(&ip) {
        return Err("points at a cloud metadata address, which is never allowed".into());
    }
    let (never, internal) = match ip {
        IpAddr::V4(v4) => (
            v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast(),
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])),
        ),
        IpAddr::V6(v6) => (
            v6.is_unspecified() || v6.is_multicast(),
            v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
        ),
    };
    if never {
        return Err("points at an address that cannot be a storage service".into());
    }
    if internal && !policy.allow_private {
        return Err(
            "points at a private or internal address, which this server does not allow".into(),
        );
    }
    Ok(())
}

/// Resolves the endpoint's host and checks every address it has.
pub async fn check_endpoint(url: &Url, policy: EndpointPolicy) -> Result<(), String> {
    let host = url.host_str().ok_or("must name a host")?;
    let port = url.port_or_known_default().unwrap_or(443);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return check_ip(ip, policy);
    }
    let addresses: Vec<_> = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|_| format!("host {bare} cannot be resolved"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("host {bare} cannot be resolved"));
    }
    addresses.iter().try_for_each(|a| check_ip(a.ip(), policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: EndpointPolicy = EndpointPolicy {
        allow_http: false,
        allow_private: false,
    };
    const LAX: EndpointPolicy = EndpointPolicy {
        allow_http: true,
        allow_private: true,
    };

    #[test]
    fn urls_are_origins_over_https() {
        assert!(parse_endpoint("https://s3.example.com", STRICT).is_ok());
        assert!(parse_endpoint("https://s3.example.com:9000/", STRICT).is_ok());
        assert!(parse_endpoint("http://s3.example.com", STRICT).is_err());
        assert!(parse_endpoint("http://s3.example.com", LAX).is_ok());
        assert!(parse_endpoint("ftp://s3.example.com", LAX).is_err());
        assert!(parse_endpoint("https://user:pw@s3.example.com", LAX).is_err());
        assert!(parse_endpoint("https://s3.example.com/bucket", LAX).is_err());
        assert!(parse_endpoint("not a url", LAX).is_err());
    }

    #[test]
    fn internal_addresses_need_the_setting_and_metadata_never_passes() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd12::1",
            "::ffff:10.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(check_ip(ip, STRICT).is_err(), "{ip} strict");
            assert!(check_ip(ip, LAX).is_ok(), "{ip} lax");
        }
        for ip in [
            "169.254.169.254",
            "::ffff:169.254.169.254",
            "100.100.100.200",
            "fd00:ec2::254",
            "0.0.0.0",
            "224.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(check_ip(ip, LAX).is_err(), "{ip} is never allowed");
        }
        assert!(check_ip("52.219.170.1".parse().unwrap(), STRICT).is_ok());
    }
}
