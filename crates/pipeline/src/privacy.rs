//! Data-subject rights over the sealed data: export a customer's data, erase it by
//! crypto-shredding, and reveal one pseudonymised value with an audit record.

use candor_audit::AuditRecord;
use candor_core::EntityKind;
use candor_pii::pseudonymise;
use candor_store::{ErasureCounts, StoreError, StoredConversation};
use uuid::Uuid;

use crate::vault::VaultError;
use crate::{Ledger, LedgerError, Pipeline, stages};

/// What an original is sealed against, so that a ciphertext moved to another row does not open.
pub(crate) fn original_context(message_id: Uuid) -> String {
    format!("original:{message_id}")
}

/// What a vault value is sealed against.
pub(crate) fn vault_context(conversation_id: &str, token: &str) -> String {
    format!("vault:{conversation_id}:{token}")
}

/// A data-subject operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrivacyError {
    /// Nothing to act on.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A required reason is missing or too long.
    #[error("reason: {0}")]
    InvalidReason(&'static str),
    /// Sealed data could not be opened.
    #[error("cannot open sealed data: {0}")]
    Vault(#[from] VaultError),
    /// Storage failed.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    /// The audit record could not be appended, so nothing was revealed.
    #[error("audit ledger: {0}")]
    Ledger(#[from] LedgerError),
}

/// One original message, opened.
#[derive(Debug, Clone)]
pub struct ExportedMessage {
    /// The message.
    pub message_id: Uuid,
    /// The text as the customer sent it.
    pub text: String,
}

/// One vault value, opened.
#[derive(Debug, Clone)]
pub struct ExportedVaultValue {
    /// Its conversation.
    pub conversation_id: String,
    /// Its pseudonym.
    pub token: String,
    /// What it is.
    pub kind: EntityKind,
    /// The value.
    pub value: String,
}

/// Everything held about a customer.
#[derive(Debug, Clone)]
pub struct CustomerExport {
    /// The customer.
    pub customer_id: String,
    /// Their conversations with messages and decisions (explanations, versions).
    pub conversations: Vec<StoredConversation>,
    /// Their original messages, opened.
    pub originals: Vec<ExportedMessage>,
    /// Their personal data in the vault, opened.
    pub vault: Vec<ExportedVaultValue>,
    /// Their AI preference (opt-out), if ever set.
    pub ai_preference: Option<candor_store::AiPreference>,
    /// Their consent history, oldest first.
    pub consents: Vec<candor_store::ConsentChange>,
    /// Complaints about decisions in their conversations.
    pub complaints: Vec<candor_store::Complaint>,
    /// Everything else that happened in their conversations (state changes, agent replies,
    /// overrides, feedback), per conversation in order.
    pub events: Vec<candor_store::ConversationEvent>,
}

/// What an erasure did.
#[derive(Debug, Clone)]
pub struct ErasureReport {
    /// What was removed.
    pub counts: ErasureCounts,
    /// The keyed hash that now stands for the customer.
    pub customer_hash: String,
    /// The erasure's record in the audit ledger.
    pub audit_index: u64,
}

/// A revealed value.
#[derive(Debug, Clone)]
pub struct Revealed {
    /// What it is.
    pub kind: EntityKind,
    /// The value.
    pub value: String,
    /// The reveal's record in the audit ledger.
    pub audit_index: u64,
}

fn text(bytes: Vec<u8>) -> Result<String, PrivacyError> {
    String::from_utf8(bytes).map_err(|_| PrivacyError::Vault(VaultError::Malformed))
}

impl Pipeline {
    /// Everything held about a customer, opened with their data key. Empty after erasure.
    ///
    /// # Errors
    ///
    /// Storage failure, or sealed data that does not open (a wrong master key).
    pub async fn export_customer(&self, customer_id: &str) -> Result<CustomerExport, PrivacyError> {
        let mut conversations = Vec::new();
        for id in self.store.customer_conversation_ids(customer_id).await? {
            if let Some(c) = self.store.conversation(&id).await? {
                conversations.push(c);
            }
        }
        let sealed_originals = self.store.customer_originals(customer_id).await?;
        let sealed_vault = self.store.customer_vault(customer_id).await?;
        let mut originals = Vec::with_capacity(sealed_originals.len());
        let mut vault = Vec::with_capacity(sealed_vault.len());
        if let Some(wrapped) = self.store.wrapped_data_key(customer_id).await? {
            let key = self.master.unwrap(customer_id, &wrapped)?;
            for (message_id, sealed) in sealed_originals {
                originals.push(ExportedMessage {
                    message_id,
                    text: text(key.open(&original_context(message_id), &sealed)?)?,
                });
            }
            for v in sealed_vault {
                let value =
                    text(key.open(&vault_context(&v.conversation_id, &v.token), &v.sealed)?)?;
                vault.push(ExportedVaultValue {
                    conversation_id: v.conversation_id,
                    token: v.token,
                    kind: v.kind,
                    value,
                });
            }
        }
        let ids: std::collections::HashSet<&str> =
            conversations.iter().map(|c| c.id.as_str()).collect();
        let complaints = self
            .store
            .complaints(None)
            .await?
            .into_iter()
            .filter(|c| ids.contains(c.conversation_id.as_str()))
            .collect();
        let mut events = Vec::new();
        for c in &conversations {
            events.extend(self.store.events(&c.id).await?);
        }
        Ok(CustomerExport {
            customer_id: customer_id.to_owned(),
            ai_preference: self.store.ai_preference(customer_id).await?,
            consents: self.store.consents(customer_id).await?,
            complaints,
            events,
            conversations,
            originals,
            vault,
        })
    }

    /// Erases a customer: destroys their data key (crypto-shredding), deletes their sealed
    /// originals, vault values and pseudonym mappings, replaces their id with a keyed hash, and
    /// records the erasure in the audit ledger. Decisions remain, pseudonymised, and the ledger
    /// still verifies.
    ///
    /// # Errors
    ///
    /// When the customer has no data, or storage fails.
    pub async fn erase_customer(
        &self,
        customer_id: &str,
        actor: &str,
        ledger: &Ledger,
    ) -> Result<ErasureReport, PrivacyError> {
        let customer_hash = self.customer_hash(customer_id);
        let counts = self
            .store
            .erase_customer(customer_id, &format!("erased:{customer_hash}"))
            .await?;
        if counts == ErasureCounts::default() {
            return Err(PrivacyError::NotFound("customer"));
        }
        let record = AuditRecord::Erasure {
            at_ms: stages::now().millis(),
            customer_hash: customer_hash.clone(),
            actor_hash: self.customer_hash(actor),
            scope: [
                "data_key",
                "originals",
                "vault",
                "pseudonyms",
                "customer_id",
                "metadata",
            ]
            .map(str::to_owned)
            .to_vec(),
        };
        let audit_index = ledger.append(&record, stages::now()).await?;
        Ok(ErasureReport {
            counts,
            customer_hash,
            audit_index,
        })
    }

    /// Reveals the value behind one pseudonym, after recording who asked, in which role and
    /// why. The record holds the reason pseudonymised, never the value.
    ///
    /// # Errors
    ///
    /// A missing or overlong reason, an unknown pseudonym (or an erased customer), storage or
    /// ledger failure.
    pub async fn reveal(
        &self,
        conversation_id: &str,
        token: &str,
        actor: &str,
        role: &str,
        reason: &str,
        ledger: &Ledger,
    ) -> Result<Revealed, PrivacyError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(PrivacyError::InvalidReason(
                "a reason is required to reveal personal data",
            ));
        }
        if reason.len() > 1000 {
            return Err(PrivacyError::InvalidReason("must be at most 1000 bytes"));
        }
        let entry = self
            .store
            .vault_entry(conversation_id, token)
            .await?
            .ok_or(PrivacyError::NotFound("pseudonym"))?;
        let owner = self
            .store
            .conversation(conversation_id)
            .await?
            .ok_or(PrivacyError::NotFound("conversation"))?
            .customer_id;
        let wrapped = self
            .store
            .wrapped_data_key(&owner)
            .await?
            .ok_or(PrivacyError::NotFound("customer data key"))?;
        let key = self.master.unwrap(&owner, &wrapped)?;
        let value = text(key.open(&vault_context(conversation_id, token), &entry.sealed)?)?;

        // The reason is free text and may itself name people: pseudonymise it for the record.
        let found = self.registry.detect(reason);
        let ordinals: Vec<u32> = (1..=found.len() as u32).collect();
        let record = AuditRecord::PiiReveal {
            at_ms: stages::now().millis(),
            actor_hash: self.customer_hash(actor),
            role: role.to_owned(),
            conversation_id: conversation_id.to_owned(),
            token: token.to_owned(),
            reason: pseudonymise(reason, &found, &ordinals),
        };
        // Recorded first: a reveal that cannot be recorded does not happen.
        let audit_index = ledger.append(&record, stages::now()).await?;
        Ok(Revealed {
            kind: entry.kind,
            value,
            audit_index,
        })
    }
}
