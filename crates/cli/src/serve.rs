//! `candor serve`, and the server lifecycle that `candor demo` shares.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use candor_pipeline::{Ledger, Pipeline};
use candor_server::{AppState, Metrics, ServerConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::CandorConfig;

/// A server running in the background.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    checkpoints: Option<JoinHandle<()>>,
    purges: Option<JoinHandle<()>>,
    fairness_audits: Option<JoinHandle<()>>,
    ledger: Arc<Ledger>,
    grace: Duration,
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Starts serving `pipeline` on `listener`.
pub fn start(
    listener: TcpListener,
    pipeline: Arc<Pipeline>,
    ledger: Arc<Ledger>,
    config: &CandorConfig,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let cors_allowed_origins = config
        .server
        .cors_allowed_origins
        .iter()
        .map(|o| candor_server::parse_origin(o))
        .collect::<Result<_, _>>()?;
    let purge_minutes = config.retention.purge_interval_minutes;
    let purges = (purge_minutes > 0).then(|| {
        tokio::spawn(purge_periodically(
            pipeline.clone(),
            Duration::from_secs(purge_minutes * 60),
        ))
    });
    let state = Arc::new(AppState {
        pipeline,
        ledger: ledger.clone(),
        metrics: Metrics::default(),
        config: ServerConfig {
            max_body_bytes: config.server.max_body_bytes,
            public_metrics: config.server.public_metrics,
            session_lifetime: Duration::from_secs(u64::from(config.server.session_hours) * 3600),
            cors_allowed_origins,
        },
    });
    let audit_minutes = config.fairness.audit_interval_minutes;
    let fairness_audits = (audit_minutes > 0).then(|| {
        candor_server::spawn_fairness_audits(
            state.clone(),
            candor_server::FairnessSchedule {
                every: Duration::from_secs(audit_minutes * 60),
                window: Duration::from_secs(config.fairness.audit_window_days * 86_400),
                limits: state.pipeline.policy().fairness.audit_config(),
            },
        )
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(candor_server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let interval = config.audit.checkpoint_interval_secs;
    let checkpoints = (interval > 0).then(|| {
        tokio::spawn(checkpoint_periodically(
            ledger.clone(),
            Duration::from_secs(interval),
        ))
    });
    Ok(Running {
        addr,
        stop: Some(stop),
        task,
        checkpoints,
        purges,
        fairness_audits,
        ledger,
        grace: Duration::from_secs(config.server.shutdown_grace_secs),
    })
}

/// Signs a checkpoint every `every` when the log has grown since the last one.
async fn checkpoint_periodically(ledger: Arc<Ledger>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        match ledger.checkpoint(Pipeline::now()).await {
            Ok(c) => tracing::debug!(size = c.root.size, "Audit checkpoint in force"),
            Err(e) => tracing::warn!(error = %e, "Could not sign an audit checkpoint; will retry"),
        }
    }
}

/// Purges data past its retention at start and then every `every`. Each purge logs its counts
/// and records every batch in the audit ledger; a failure is logged and retried next time.
async fn purge_periodically(pipeline: Arc<Pipeline>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(e) = pipeline.purge_expired(Pipeline::now(), false).await {
            tracing::warn!(error = %e, "Retention purge failed; will retry at the next interval");
        }
    }
}

impl Running {
    /// Stops accepting connections and waits (up to the grace period) for requests in flight.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.checkpoints.take() {
            task.abort();
        }
        // A purge cut short rolls its open batch back; committed batches stay recorded.
        if let Some(task) = self.purges.take() {
            task.abort();
        }
        // An audit cut short records nothing: its record is appended in one transaction.
        if let Some(task) = self.fairness_audits.take() {
            task.abort();
        }
        let served = match tokio::time::timeout(self.grace, &mut self.task).await {
            Ok(joined) => joined
                .context("server task failed")
                .and_then(|r| r.context("server failed")),
            Err(_) => {
                tracing::warn!(
                    grace_secs = self.grace.as_secs(),
                    "Requests still in flight after the grace period; stopping"
                );
                self.task.abort();
                Ok(())
            }
        };
        // A last checkpoint covers everything accepted before shutdown.
        if let Err(e) = self.ledger.checkpoint(Pipeline::now()).await {
            tracing::warn!(error = %e, "Could not sign the final audit checkpoint");
        }
        served
    }

    /// Runs until a shutdown signal or a server failure.
    pub async fn until_signal(mut self) -> anyhow::Result<()> {
        tokio::select! {
            () = shutdown_signal() => {
                tracing::info!("Shutting down; finishing requests in flight");
                self.stop().await
            }
            joined = &mut self.task => joined.context("server task failed")?.context("server failed"),
        }
    }
}

/// Binds `addr`, naming it in the error.
pub async fn bind(addr: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// `candor serve`.
pub async fn run(config: CandorConfig) -> anyhow::Result<()> {
    let (pipeline, ledger) = crate::app::build(&config).await?;
    let listener = bind(&config.server.addr).await?;
    let running = start(listener, pipeline.clone(), ledger, &config)?;
    tracing::info!(
        addr = %running.addr,
        storage = pipeline.store().backend().as_str(),
        policy = %pipeline.policy().version,
        "Candor is listening"
    );
    // Scripts and tests read this line to learn the port when binding port 0.
    println!("Candor listening on http://{}", running.addr);
    running.until_signal().await
}
