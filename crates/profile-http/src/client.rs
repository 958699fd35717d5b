//! Who is calling, as a rate-limit key: the client's address.

use poem::Request;

/// The client's address as a rate-limit key: IPv4 addresses whole, IPv6
/// addresses by their /64 network (one host usually holds a whole /64).
/// Behind a trusted proxy (`trust_proxy`), the address the proxy appended.
pub(crate) fn client_key(req: &Request, trust_proxy: bool) -> String {
    let address = client_address(req, trust_proxy);
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(address, |v4| v4.to_string()),
        _ => address,
    }
}

fn client_address(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        // The trusted proxy appends the address it saw: the last entry.
        // Earlier entries are written by the client and prove nothing.
        if let Some(last) = forwarded.and_then(|v| v.rsplit(',').next()).map(str::trim).filter(|v| !v.is_empty()) {
            return last.to_owned();
        }
        if let Some(real) = req.headers().get("x-real-ip").and_then(|v| v.to_str().ok()) {
            return real.trim().to_owned();
        }
    }
    req.remote_addr().as_socket_addr().map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}
