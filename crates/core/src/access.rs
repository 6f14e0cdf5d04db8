//! Who may do what: roles, actions and the one matrix that joins them.
//!
//! The matrix is written down in `docs/specs/roles.md`; a test walks it over HTTP.
//! Least privilege: a role gets only what its work needs, and anything not listed is denied.

use std::fmt;
use std::str::FromStr;

/// A role a token or user holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// An integration that submits customer messages (a chat widget, a mail gateway).
    Channel,
    /// A person answering customers.
    Agent,
    /// A person leading agents.
    Supervisor,
    /// A person who approves models and policies and reads audits.
    AiOfficer,
    /// The data-protection officer.
    Dpo,
    /// Operates Candor: tokens and configuration.
    Admin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 6] = [
        Role::Channel,
        Role::Agent,
        Role::Supervisor,
        Role::AiOfficer,
        Role::Dpo,
        Role::Admin,
    ];

    /// The wire name, e.g. `ai_officer`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Channel => "channel",
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::AiOfficer => "ai_officer",
            Role::Dpo => "dpo",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a role (expected one of: channel, agent, supervisor, ai_officer, dpo, admin)"
)]
pub struct ParseRoleError(pub String);

impl FromStr for Role {
    type Err = ParseRoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseRoleError(s.to_owned()))
    }
}

/// Something a caller may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Submit a customer message.
    SubmitMessage,
    /// Read a message's decision (pseudonymised).
    ReadMessage,
    /// Read a conversation (pseudonymised).
    ReadConversation,
    /// Read the human queue.
    ReadQueue,
    /// Read audit records and proofs (pseudonymised).
    ReadAudit,
    /// Sign an audit checkpoint on demand.
    SignCheckpoint,
    /// Create, list and revoke API tokens.
    ManageTokens,
    /// Read operational metrics (when they are not public).
    ReadMetrics,
    /// Export everything held about a customer, originals included.
    ExportCustomer,
    /// Erase a customer's personal data.
    EraseCustomer,
    /// Reveal the value behind a pseudonym.
    RevealPii,
    /// Claim, reply to and resolve conversations as a person.
    HandleConversation,
    /// Override an AI decision (route, intent, priority) with a reason, or judge a bot answer.
    OverrideDecision,
    /// File a complaint about a decision (for a customer, through a channel, or as an agent).
    FileComplaint,
    /// Read complaints and resolve them.
    ManageComplaints,
    /// Set a customer's AI preference (opt out of AI, or back in).
    SetAiPreference,
    /// Add or update knowledge-base articles.
    ManageKnowledgeBase,
    /// Read the staff explanation of a decision (features, weights, versions).
    ReadStaffExplanation,
    /// Read the customer explanation of a decision.
    ReadCustomerExplanation,
    /// End one's own session (revoke the token one calls with).
    EndSession,
    /// Read group fairness audits of logged decisions (and record one on demand).
    ReadFairness,
}

impl Action {
    /// Every action, in a stable order.
    pub const ALL: [Action; 21] = [
        Action::SubmitMessage,
        Action::ReadMessage,
        Action::ReadConversation,
        Action::ReadQueue,
        Action::ReadAudit,
        Action::SignCheckpoint,
        Action::ManageTokens,
        Action::ReadMetrics,
        Action::ExportCustomer,
        Action::EraseCustomer,
        Action::RevealPii,
        Action::HandleConversation,
        Action::OverrideDecision,
        Action::FileComplaint,
        Action::ManageComplaints,
        Action::SetAiPreference,
        Action::ManageKnowledgeBase,
        Action::ReadStaffExplanation,
        Action::ReadCustomerExplanation,
        Action::EndSession,
        Action::ReadFairness,
    ];

    /// A stable name, e.g. `read_queue`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::SubmitMessage => "submit_message",
            Action::ReadMessage => "read_message",
            Action::ReadConversation => "read_conversation",
            Action::ReadQueue => "read_queue",
            Action::ReadAudit => "read_audit",
            Action::SignCheckpoint => "sign_checkpoint",
            Action::ManageTokens => "manage_tokens",
            Action::ReadMetrics => "read_metrics",
            Action::ExportCustomer => "export_customer",
            Action::EraseCustomer => "erase_customer",
            Action::RevealPii => "reveal_pii",
            Action::HandleConversation => "handle_conversation",
            Action::OverrideDecision => "override_decision",
            Action::FileComplaint => "file_complaint",
            Action::ManageComplaints => "manage_complaints",
            Action::SetAiPreference => "set_ai_preference",
            Action::ManageKnowledgeBase => "manage_knowledge_base",
            Action::ReadStaffExplanation => "read_staff_explanation",
            Action::ReadCustomerExplanation => "read_customer_explanation",
            Action::EndSession => "end_session",
            Action::ReadFairness => "read_fairness",
        }
    }
}

/// Whether `role` may perform `action`. The single source of truth for access control.
pub fn permits(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        SubmitMessage => matches!(role, Channel | Admin),
        ReadMessage | ReadConversation => {
            matches!(role, Agent | Supervisor | AiOfficer | Dpo | Admin)
        }
        ReadQueue => matches!(role, Agent | Supervisor | Admin),
        ReadAudit => matches!(role, Supervisor | AiOfficer | Dpo | Admin),
        SignCheckpoint => matches!(role, AiOfficer | Admin),
        ManageTokens => matches!(role, Admin),
        ReadMetrics => matches!(role, Supervisor | AiOfficer | Admin),
        // Personal data in the clear is for the data-protection officer alone: not even an
        // admin, who operates the system, may read it.
        ExportCustomer | EraseCustomer | RevealPii => matches!(role, Dpo),
        HandleConversation | OverrideDecision => matches!(role, Agent | Supervisor),
        // Customers complain and opt out through the channel that carries their messages.
        FileComplaint | SetAiPreference => matches!(role, Channel | Agent | Supervisor),
        ManageComplaints => matches!(role, Supervisor | AiOfficer),
        ManageKnowledgeBase => matches!(role, Supervisor | Admin),
        ReadStaffExplanation => matches!(role, Agent | Supervisor | AiOfficer | Dpo),
        ReadCustomerExplanation => {
            matches!(role, Channel | Agent | Supervisor | AiOfficer | Dpo)
        }
        // Sessions are for people; an integration's token is revoked by an admin.
        EndSession => !matches!(role, Channel),
        // Aggregates over decisions, no personal data: for those who lead, approve and operate.
        ReadFairness => matches!(role, Supervisor | AiOfficer | Admin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_roles_are_named() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .to_string()
                .contains("root")
        );
    }

    #[test]
    fn least_privilege_holds() {
        // A channel can only act for the customer it carries: submit their messages, their
        // complaints and their AI preference, and read the customer explanation.
        let channel: Vec<Action> = Action::ALL
            .into_iter()
            .filter(|a| permits(Role::Channel, *a))
            .collect();
        assert_eq!(
            channel,
            [
                Action::SubmitMessage,
                Action::FileComplaint,
                Action::SetAiPreference,
                Action::ReadCustomerExplanation
            ]
        );
        let token_managers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| permits(*r, Action::ManageTokens))
            .collect();
        assert_eq!(token_managers, [Role::Admin]);
        assert!(!permits(Role::Agent, Action::ReadAudit));
        assert!(!permits(Role::Dpo, Action::SubmitMessage));
        let clear_text: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| permits(*r, Action::RevealPii))
            .collect();
        assert_eq!(clear_text, [Role::Dpo]);
    }
}
