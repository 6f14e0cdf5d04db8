//! The `candor` binary as a user runs it: real processes, real signals, real files.

mod activate;
mod audit;
mod customer;
mod fairness;
mod keys;
mod pii;
mod pii_ops;
mod process;
mod retention;
mod train;
mod triage;
mod users;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn candor() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
    // Settings come only from each test's flags, never from the developer's environment.
    for (key, _) in std::env::vars() {
        if key.starts_with("CANDOR_") && key.contains("__") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `candor ARGS STORAGE…` in `dir`; returns whether it succeeded, its stdout and stderr.
pub fn run_candor(dir: &Path, storage: &[String], args: &[&str]) -> (bool, String, String) {
    let out = candor()
        .current_dir(dir)
        .args(args)
        .args(storage)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A `candor serve` process, with everything it logs kept for inspection.
pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    pub logs: Arc<Mutex<String>>,
    /// Sends an admin token made with `candor token create`.
    pub client: reqwest::Client,
}

/// Makes a token with `candor token create`, as an operator bootstraps the first admin.
pub fn create_token(workdir: &Path, storage_args: &[String], role: &str) -> String {
    let out = candor()
        .current_dir(workdir)
        .args(["token", "create", "--name", "test-suite", "--role", role])
        .args(storage_args)
        .output()
        .expect("run candor token create");
    assert!(
        out.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// An HTTP client that sends `Authorization: Bearer <secret>`.
pub fn client_with_token(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {secret}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

impl ServerProcess {
    /// Starts `candor serve --addr 127.0.0.1:0` with `storage_args`, logging at debug level,
    /// and waits until it listens.
    pub fn start(workdir: &Path, storage_args: &[String]) -> ServerProcess {
        let client = client_with_token(&create_token(workdir, storage_args, "admin"));
        let mut child = candor()
            .current_dir(workdir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(storage_args)
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start candor serve");
        let logs = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut line = String::new();
        let base = loop {
            line.clear();
            let n = stdout.read_line(&mut line).unwrap();
            if n == 0 || Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "candor serve did not start; logs:\n{}",
                    logs.lock().unwrap()
                );
            }
            if let Some(rest) = line.trim().strip_prefix("Candor listening on ") {
                break rest.to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = stdout.read_to_string(&mut sink);
        });
        ServerProcess {
            child,
            base,
            logs,
            client,
        }
    }

    pub fn kill9(mut self) -> String {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        self.logs.lock().unwrap().clone()
    }

    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let status = self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        (status, self.logs.lock().unwrap().clone())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
