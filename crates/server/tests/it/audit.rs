//! The audit ledger through the API and against an attacker with database access.

use candor_audit::CheckpointVerifier;
use candor_audit::merkle::{Hash, RootHash, verify_consistency, verify_inclusion};
use candor_pipeline::{Pipeline, VerifyFailure, verify_ledger};
use candor_store::testing::{Tamper, tamper};
use serde_json::Value;

use crate::{Backend, TestApp, per_backend, spawn_app};

per_backend!(
    checkpoints_and_proofs_verify_with_the_published_key,
    bad_proof_requests_are_named,
    every_kind_of_tampering_is_detected_and_named,
    erasing_a_customer_leaves_the_ledger_verifying,
);

fn h(v: &Value) -> Hash {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

async fn fill(app: &TestApp, n: usize) {
    for i in 0..n {
        app.accept(
            &format!("audit-{}", i % 3),
            None,
            &format!("Message {i}: please call +45 22 33 44 {:02}", i % 100),
        )
        .await;
    }
}

async fn checkpoints_and_proofs_verify_with_the_published_key(backend: Backend) {
    let app = spawn_app(backend).await;
    fill(&app, 5).await;
    let (_, key) = app.get("/v1/audit/public-key").await;
    let verifier = CheckpointVerifier::from_vkey(key["vkey"].as_str().unwrap()).unwrap();
    assert_eq!(key["origin"], "candor-test-log");

    let (status, first) = app.get("/v1/audit/checkpoint").await;
    assert_eq!(status, 200);
    assert_eq!(first["size"], 5);
    let opened = verifier.open(first["note"].as_str().unwrap()).unwrap();
    assert_eq!(
        hex::encode(opened.root.hash),
        first["root_hash"].as_str().unwrap()
    );

    fill(&app, 6).await;
    let r = app
        .client
        .post(format!("{}/v1/audit/checkpoint", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let second: Value = r.json().await.unwrap();
    assert_eq!(second["size"], 11);
    let second_root = verifier
        .open(second["note"].as_str().unwrap())
        .unwrap()
        .root;

    // Every entry is provably in the signed tree.
    for n in 0..11 {
        let (status, entry) = app
            .get(&format!("/v1/audit/entries/{n}?tree_size=11"))
            .await;
        assert_eq!(status, 200, "{entry}");
        assert_eq!(entry["record"]["type"], "decision");
        let proof: Vec<Hash> = entry["inclusion_proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(h)
            .collect();
        let bytes = hex::decode(entry["record_bytes"].as_str().unwrap()).unwrap();
        let leaf = candor_audit::merkle::leaf_hash(&bytes);
        assert_eq!(hex::encode(leaf), entry["leaf_hash"].as_str().unwrap());
        verify_inclusion(n, &leaf, &proof, &second_root).unwrap();
    }
    // An entry proved against the older checkpoint.
    let (_, old) = app.get("/v1/audit/entries/2?tree_size=5").await;
    let proof: Vec<Hash> = old["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(h)
        .collect();
    let leaf = h(&old["leaf_hash"]);
    verify_inclusion(2, &leaf, &proof, &opened.root).unwrap();

    // The newer checkpoint extends the older one.
    let (status, c) = app.get("/v1/audit/consistency?from=5&to=11").await;
    assert_eq!(status, 200, "{c}");
    let proof: Vec<Hash> = c["proof"].as_array().unwrap().iter().map(h).collect();
    verify_consistency(&opened.root, &second_root, &proof).unwrap();
    let wrong = RootHash {
        hash: [0; 32],
        size: 5,
    };
    assert!(verify_consistency(&wrong, &second_root, &proof).is_err());

    let report = verify_ledger(app.store.as_ref(), &verifier, |_| {})
        .await
        .unwrap();
    assert_eq!((report.entries, report.checkpoints), (11, 2));
}

async fn bad_proof_requests_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    fill(&app, 3).await;
    for (path, status) in [
        ("/v1/audit/entries/3", 404),
        ("/v1/audit/entries/abc", 404),
        ("/v1/audit/entries/1?tree_size=1", 404),
        ("/v1/audit/entries/0?tree_size=99", 422),
        ("/v1/audit/entries/0?tree_size=-1", 422),
        ("/v1/audit/consistency?from=3&to=2", 422),
        ("/v1/audit/consistency?from=1&to=9", 422),
        ("/v1/audit/consistency?from=x&to=2", 422),
        ("/v1/audit/consistency", 422),
    ] {
        let (got, body) = app.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{path}: {body}"
        );
    }
}

/// Builds a ledger of 12 decisions with checkpoints at 4 and 8, then tampers and verifies.
async fn tampered(
    backend: Backend,
    change: impl FnOnce(&TestApp) -> Vec<Tamper>,
    regrow: usize,
) -> VerifyFailure {
    let app = spawn_app(backend).await;
    fill(&app, 4).await;
    app.ledger.checkpoint(Pipeline::now()).await.unwrap();
    fill(&app, 4).await;
    app.ledger.checkpoint(Pipeline::now()).await.unwrap();
    fill(&app, 4).await;
    verify_ledger(app.store.as_ref(), &app.ledger.verifier(), |_| {})
        .await
        .expect("intact ledger verifies");
    for t in change(&app) {
        tamper(&app.target, t).await;
    }
    for i in 0..regrow {
        app.store
            .append_audit(
                &[format!("{{\"forged\":{i}}}").into_bytes()],
                Pipeline::now(),
            )
            .await
            .unwrap();
    }
    verify_ledger(app.store.as_ref(), &app.ledger.verifier(), |_| {})
        .await
        .expect_err("tampering must be detected")
}

async fn every_kind_of_tampering_is_detected_and_named(backend: Backend) {
    let flipped = tampered(backend, |_| vec![Tamper::FlipPayloadByte { index: 6 }], 0).await;
    assert_eq!(flipped.index(), Some(6), "{flipped}");
    assert!(
        flipped.to_string().contains("record was changed"),
        "{flipped}"
    );

    let deleted = tampered(backend, |_| vec![Tamper::DeleteEntry { index: 3 }], 0).await;
    assert_eq!(deleted.index(), Some(3), "{deleted}");
    assert!(deleted.to_string().contains("removed"), "{deleted}");

    let swapped = tampered(backend, |_| vec![Tamper::SwapPayloads { a: 9, b: 2 }], 0).await;
    assert_eq!(swapped.index(), Some(2), "{swapped}");

    let inserted = tampered(
        backend,
        |_| {
            vec![Tamper::InsertEntry {
                index: 5,
                payload: b"{\"forged\":true}".to_vec(),
            }]
        },
        0,
    )
    .await;
    assert_eq!(inserted.index(), Some(5), "{inserted}");

    // A checkpoint re-signed with another key (over the right root, even) is refused.
    let impostor = candor_audit::CheckpointSigner::new("candor-test-log", &[6; 32]).unwrap();
    let resigned = tampered(
        backend,
        |_| {
            vec![Tamper::ReplaceCheckpointNote {
                size: 8,
                note: impostor.sign(RootHash {
                    hash: [1; 32],
                    size: 8,
                }),
            }]
        },
        0,
    )
    .await;
    assert!(
        matches!(resigned, VerifyFailure::Checkpoint { size: 8, .. }),
        "{resigned}"
    );
    assert!(resigned.to_string().contains("signature"), "{resigned}");

    // Truncated below a checkpoint and regrown past it: the signed root no longer matches.
    let regrown = tampered(backend, |_| vec![Tamper::Truncate { keep: 6 }], 6).await;
    assert!(
        matches!(regrown, VerifyFailure::Checkpoint { size: 8, .. }),
        "{regrown}"
    );
    assert!(regrown.to_string().contains("between 4 and 7"), "{regrown}");

    // Truncated and not regrown: the checkpoint is beyond the log.
    let truncated = tampered(backend, |_| vec![Tamper::Truncate { keep: 6 }], 0).await;
    assert!(
        matches!(truncated, VerifyFailure::Checkpoint { size: 8, .. }),
        "{truncated}"
    );
}

async fn erasing_a_customer_leaves_the_ledger_verifying(backend: Backend) {
    let app = spawn_app(backend).await;
    fill(&app, 9).await;
    app.ledger.checkpoint(Pipeline::now()).await.unwrap();
    tamper(
        &app.target,
        Tamper::EraseCustomer {
            customer_id: "audit-1".to_owned(),
        },
    )
    .await;
    let report = verify_ledger(app.store.as_ref(), &app.ledger.verifier(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.entries, 9);
    // The records hold no trace of the customer id, only its keyed hash.
    for e in app.store.audit_entries(0, 100).await.unwrap() {
        assert!(!String::from_utf8_lossy(&e.payload).contains("audit-1"));
    }
}
