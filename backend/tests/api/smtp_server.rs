//! A real SMTP server for tests (mailin-embedded), collecting every mail.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mailin_embedded::{Handler, Response, Server, response};

/// One received mail.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The raw message with quoted-printable soft line breaks undone.
    pub fn unfolded(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}: ", name.to_ascii_lowercase());
        self.data
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }
}

/// The mails received so far.
#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Mail>>>);

impl Inbox {
    pub fn mails(&self) -> Vec<Mail> {
        self.0.lock().unwrap().clone()
    }

    /// Waits (up to 15 s) until at least `n` mails arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..150 {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("expected {n} mails, got {}", self.mails().len());
    }
}

#[derive(Clone)]
struct Collector {
    inbox: Inbox,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.0.lock().unwrap().push(Mail {
            to: self.to.clone(),
            data: String::from_utf8_lossy(&self.buf).into_owned(),
        });
        response::OK
    }
}

/// A free loopback port (nothing listens on it yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a server on `port`; it runs until the test process ends.
pub fn start_on(port: u16) -> Inbox {
    let inbox = Inbox::default();
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP port");
    let mut server = Server::new(Collector {
        inbox: inbox.clone(),
        to: Vec::new(),
        buf: Vec::new(),
    });
    server
        .with_name("smtp.test")
        // One thread per open connection: the mailers' pools keep theirs open
        // between mails, and a test may run two servers (two pools) at once.
        .with_num_threads(8)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    inbox
}
