//! Configuration checks: settings that would make a client poll in a tight loop or never
//! time out are refused when the machine is built.

use super::{SyncConfig, SyncMachine};
use crate::envelope::TrustPolicy;
use alloc::string::ToString;

#[test]
fn unusable_configurations_are_refused() {
    let bad = [
        SyncConfig {
            poll_interval_ms: 0,
            ..SyncConfig::default()
        },
        SyncConfig {
            min_backoff_ms: 0,
            ..SyncConfig::default()
        },
        SyncConfig {
            min_backoff_ms: 10,
            max_backoff_ms: 9,
            ..SyncConfig::default()
        },
        SyncConfig {
            request_timeout_ms: 0,
            ..SyncConfig::default()
        },
        SyncConfig {
            stale_after_ms: Some(0),
            ..SyncConfig::default()
        },
    ];
    for config in bad {
        let err = config.check().unwrap_err();
        assert_eq!(err.code(), "INVALID_CONFIG");
        assert!(err.to_string().starts_with("sync config: "), "{err}");
    }
    let policy = TrustPolicy::builder("production")
        .key("ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=")
        .owner("shop")
        .build()
        .unwrap();
    let zero = SyncConfig {
        poll_interval_ms: 0,
        ..SyncConfig::default()
    };
    assert!(SyncMachine::new(policy, zero).is_err());
    assert!(SyncConfig::default().check().is_ok());
}
