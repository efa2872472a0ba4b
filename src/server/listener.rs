//! Listening sockets: TCP on every `bind` address (IPv4 and IPv6) and an optional unix
//! socket, with Redis's conventions: `*` is every IPv4 address, `::*` every IPv6 one, a
//! leading `-` marks an address whose failure to bind is not fatal, and IPv6 sockets are
//! v6-only so `0.0.0.0` and `::` can share a port.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd};

use mio::net::{TcpListener, UnixListener};

use crate::server::client::Stream;

/// A bound listener.
pub enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// Unix socket, with its path (removed at shutdown).
    Unix(UnixListener, String),
}

/// Binds every `bind` address on `port` (0: an ephemeral port, shared by all addresses).
/// Returns the listeners and the port actually bound.
pub fn bind_tcp(binds: &[String], port: u16, backlog: u32) -> io::Result<(Vec<TcpListener>, u16)> {
    let mut listeners = Vec::new();
    let mut port = port;
    for spec in binds {
        let (optional, host) = match spec.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, spec.as_str()),
        };
        let ip = match parse_host(host) {
            Some(ip) => ip,
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("Invalid bind address '{host}'"),
                ))
            }
        };
        match bind_one(SocketAddr::new(ip, port), backlog) {
            Ok(listener) => {
                if port == 0 {
                    port = listener.local_addr()?.port();
                }
                listeners.push(listener);
            }
            Err(e) if optional => log::debug!("Skipping optional bind address {host}: {e}"),
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("Could not create server TCP listening socket {host}:{port}: {e}"),
                ))
            }
        }
    }
    Ok((listeners, port))
}

fn parse_host(host: &str) -> Option<IpAddr> {
    match host {
        "*" => Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        "::*" => Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
        "localhost" => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        other => other.parse().ok(),
    }
}

/// Creates, configures, binds and listens on one TCP socket.
fn bind_one(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let domain = if addr.is_ipv6() {
        libc::AF_INET6
    } else {
        libc::AF_INET
    };
    // SAFETY: plain socket syscalls on a descriptor we own; it is wrapped in a
    // std listener (which closes it) before any early return after creation.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    set_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR)?;
    if addr.is_ipv6() {
        set_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY)?;
    }
    let (storage, len) = sockaddr(addr);
    // SAFETY: `storage` holds a valid sockaddr of `len` bytes.
    if unsafe { libc::bind(fd, &storage as *const _ as *const libc::sockaddr, len) } < 0 {
        return Err(io::Error::last_os_error());
    }
    if unsafe { libc::listen(listener.as_raw_fd(), backlog.min(i32::MAX as u32) as i32) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(TcpListener::from_std(listener))
}

fn set_opt(fd: i32, level: i32, name: i32) -> io::Result<()> {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt with a pointer to a live c_int and its size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &one as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as u32,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn sockaddr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_in fits in sockaddr_storage.
            unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in, sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: sockaddr_in6 fits in sockaddr_storage.
            unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in6, sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// Binds the unix socket at `path` (replacing a stale file) with permissions `perm`
/// (0: leave the default).
pub fn bind_unix(path: &str, perm: u32) -> io::Result<UnixListener> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
    }
    Ok(listener)
}

/// Turns on TCP keepalive with Redis's `tcp-keepalive` interval (0: leave it off), so
/// dead peers are noticed and middleboxes keep the connection open.
pub fn set_keepalive(stream: &mio::net::TcpStream, interval_secs: u64) {
    if interval_secs == 0 {
        return;
    }
    let fd = stream.as_raw_fd();
    let interval = interval_secs.min(i32::MAX as u64) as libc::c_int;
    let probe_gap = (interval / 3).max(1);
    let options = [
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1),
        (libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, interval),
        (libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, probe_gap),
        (libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3),
    ];
    for (level, name, value) in options {
        // SAFETY: setsockopt on a live socket with a pointer to a live c_int.
        unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                &value as *const _ as *const libc::c_void,
                4,
            );
        }
    }
}

/// A connection accepted from listener `index` (the TCP listeners, then the unix one):
/// its stream, the peer's address and ours. `None` when nothing is pending (or the
/// accept failed, which is logged).
pub fn accept_one(
    tcp: &[TcpListener],
    unix: Option<&(UnixListener, String)>,
    index: usize,
    keepalive: u64,
) -> Option<(Stream, String, String)> {
    loop {
        let accepted = if let Some(l) = tcp.get(index) {
            l.accept().map(|(s, peer)| {
                let _ = s.set_nodelay(true);
                set_keepalive(&s, keepalive);
                let local = s.local_addr().map(|a| a.to_string()).unwrap_or_default();
                (Stream::Tcp(s), peer.to_string(), local)
            })
        } else if let Some((l, path)) = unix.filter(|_| index == tcp.len()) {
            l.accept()
                .map(|(s, _)| (Stream::Unix(s), format!("{path}:0"), path.clone()))
        } else {
            return None;
        };
        match accepted {
            Ok(conn) => return Some(conn),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
            Err(e) => {
                log::warn!("Accepting client connection: {e}");
                return None;
            }
        }
    }
}

/// True for a client protected mode serves: over the unix socket, or from exactly
/// 127.0.0.1 or ::1, as Redis compares addresses.
pub fn from_loopback(stream: &Stream) -> bool {
    match stream {
        Stream::Unix(_) => true,
        Stream::Tcp(s) => s.peer_addr().is_ok_and(|peer| match peer.ip() {
            IpAddr::V4(v4) => v4 == Ipv4Addr::LOCALHOST,
            IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
        }),
    }
}

/// Turns a connection away in protected mode with Redis's explanation.
pub fn deny_protected(stream: &mut Stream) {
    use std::io::Write;
    let _ = stream.write(ERR_PROTECTED_MODE.as_bytes());
    log::debug!("Refused a non-local client in protected mode");
}

/// What protected mode answers a non-local client before closing it.
const ERR_PROTECTED_MODE: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Turns a connection away because `maxclients` is reached, as Redis does.
pub fn refuse(stream: &mut Stream, peer: &str) {
    use std::io::Write;
    let _ = stream.write(b"-ERR max number of clients reached\r\n");
    log::warn!("Rejected client {peer}: max number of clients reached");
}

/// The TCP listeners and their registration with the poll: what CONFIG SET `port` and
/// `bind` replace at run time.
pub struct Rebinder<'a> {
    /// The registry the listeners are registered with.
    pub registry: &'a mio::Registry,
    /// The listeners, in token order.
    pub tcp: &'a mut Vec<TcpListener>,
    /// The unix listener, whose token follows the TCP ones.
    pub unix: Option<&'a mut (mio::net::UnixListener, String)>,
    /// `tcp-backlog`.
    pub backlog: u32,
}

impl Rebinder<'_> {
    /// Listens on `binds` × `port` instead of the current sockets, as Redis's
    /// `changeBindAddr` does: the old sockets close first (the new set may reuse their
    /// addresses), and if the new set cannot be bound the old addresses are bound again.
    /// Returns the port bound.
    pub fn rebind(&mut self, binds: &[String], port: u16) -> io::Result<u16> {
        let old: Vec<SocketAddr> = self
            .tcp
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect();
        for listener in self.tcp.iter_mut() {
            let _ = self.registry.deregister(listener);
        }
        self.tcp.clear();
        match bind_tcp(binds, port, self.backlog) {
            Ok((listeners, bound)) => {
                self.install(listeners)?;
                Ok(bound)
            }
            Err(e) => {
                let restored = old
                    .iter()
                    .filter_map(|addr| match bind_one(*addr, self.backlog) {
                        Ok(listener) => Some(listener),
                        Err(err) => {
                            log::warn!("Could not listen again on {addr}: {err}");
                            None
                        }
                    })
                    .collect();
                self.install(restored)?;
                Err(e)
            }
        }
    }

    /// Registers `listeners` under their tokens and moves the unix listener's token
    /// after them.
    fn install(&mut self, mut listeners: Vec<TcpListener>) -> io::Result<()> {
        for (i, listener) in listeners.iter_mut().enumerate() {
            self.registry
                .register(listener, listener_token(i), mio::Interest::READABLE)?;
            log::info!("Listening on {}", listener.local_addr()?);
        }
        if let Some((unix, _)) = self.unix.as_deref_mut() {
            self.registry.reregister(
                unix,
                listener_token(listeners.len()),
                mio::Interest::READABLE,
            )?;
        }
        *self.tcp = listeners;
        Ok(())
    }
}

/// The poll token of listener `index` (TCP listeners first, then the unix one).
pub fn listener_token(index: usize) -> mio::Token {
    mio::Token(LISTENER_BASE - index)
}

/// Listener `i` uses token `LISTENER_BASE - i`, at the top of the token space (client
/// tokens are slab keys, from 0).
pub const LISTENER_BASE: usize = usize::MAX - 1;
