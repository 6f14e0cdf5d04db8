//! `candor user`: create, list and disable accounts for people directly in the store. People
//! log in with `POST /v1/sessions`; the password is hashed with argon2id and never stored.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use candor_core::Role;
use candor_pipeline::Pipeline;
use candor_pipeline::accounts::{AccountError, check_password, create_user, normalise_username};
use candor_store::StoreError;

use crate::config::CandorConfig;

/// The environment variable a new user's password may come from (for scripts); otherwise it
/// is read from standard input.
pub const PASSWORD_ENV: &str = "CANDOR_PASSWORD";

/// The new password: `CANDOR_PASSWORD` when set, else one line of `input` without its line
/// ending.
///
/// # Errors
///
/// When the input cannot be read or is empty.
pub fn read_password(env: Option<String>, input: &mut dyn BufRead) -> anyhow::Result<String> {
    if let Some(password) = env {
        return Ok(password);
    }
    let mut line = String::new();
    input
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    if password.is_empty() {
        bail!("no password given: set {PASSWORD_ENV} or write it on standard input");
    }
    Ok(password.to_owned())
}

/// Creates a user with `role`; the password comes from [`read_password`].
///
/// # Errors
///
/// A bad username or role, a password under 12 characters, a taken username, or a storage
/// failure.
pub async fn create(config: &CandorConfig, username: &str, role: &str) -> anyhow::Result<()> {
    let role: Role = role.parse().context("--role")?;
    let username = normalise_username(username).context("--username")?;
    let env = std::env::var(PASSWORD_ENV).ok();
    let stdin = std::io::stdin();
    if env.is_none() && stdin.is_terminal() {
        // No dependency for hidden input; scripts set CANDOR_PASSWORD or pipe the password.
        eprint!("Password for {username} (at least 12 characters; shown as you type): ");
        std::io::stderr().flush().ok();
    }
    let password = read_password(env, &mut stdin.lock())?;
    // Checked before the database is opened, so that a short password costs nothing.
    check_password(&password).map_err(|e| anyhow::anyhow!("password refused: {e}"))?;
    let store = crate::app::open_store(config).await?;
    let user = match create_user(store.as_ref(), &username, &password, role, Pipeline::now()).await
    {
        Ok(user) => user,
        Err(AccountError::Store(StoreError::InvalidState(message))) => bail!("{message}"),
        Err(e) => return Err(e.into()),
    };
    eprintln!(
        "Created user {} ({}, role {}). They log in with POST /v1/sessions.",
        user.username, user.id, user.role
    );
    Ok(())
}

/// Lists users (never their password hashes).
///
/// # Errors
///
/// Storage failure.
pub async fn list(config: &CandorConfig) -> anyhow::Result<()> {
    let store = crate::app::open_store(config).await?;
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(vec!["id", "username", "role", "created", "disabled"]);
    for u in store.users().await? {
        table.add_row(vec![
            u.id,
            u.username,
            u.role.to_string(),
            candor_server::dto::rfc3339(u.created_at),
            u.disabled_at
                .map(candor_server::dto::rfc3339)
                .unwrap_or_else(|| "–".to_owned()),
        ]);
    }
    println!("{table}");
    Ok(())
}

/// Disables a user: they can no longer log in, and their open sessions are revoked.
///
/// # Errors
///
/// When no enabled user has that name, or storage fails.
pub async fn disable(config: &CandorConfig, username: &str) -> anyhow::Result<()> {
    let username = normalise_username(username).context("--username")?;
    let store = crate::app::open_store(config).await?;
    let Some(sessions) = store.disable_user(&username, Pipeline::now()).await? else {
        bail!("no enabled user `{username}`");
    };
    eprintln!("Disabled {username}; {sessions} open session(s) revoked.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_and_a_line_loses_only_its_ending() {
        let mut unused = std::io::Cursor::new(b"from stdin\n".to_vec());
        assert_eq!(
            read_password(Some("from env".into()), &mut unused).unwrap(),
            "from env"
        );
        let mut crlf = std::io::Cursor::new(b" spaced password \r\nsecond line\n".to_vec());
        assert_eq!(read_password(None, &mut crlf).unwrap(), " spaced password ");
        let mut no_newline = std::io::Cursor::new(b"last line".to_vec());
        assert_eq!(read_password(None, &mut no_newline).unwrap(), "last line");
        let mut empty = std::io::Cursor::new(Vec::new());
        assert!(read_password(None, &mut empty).is_err());
    }
}
