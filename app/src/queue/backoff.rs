//! When to try again: exponential backoff with jitter, and how long a
//! destination that keeps failing rests.

use std::time::Duration;

use ring::rand::SecureRandom;

/// `base · 2^(attempts-1)`, capped at `max`, with ±25 % jitter so a busy
/// destination is not hit by every retry at once.
pub fn retry_delay(attempts: i64, base: Duration, max: Duration) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    let delay = base.saturating_mul(1 << exp).min(max);
    let mut byte = [0u8; 1];
    let _ = ring::rand::SystemRandom::new().fill(&mut byte);
    delay.mul_f64(0.75 + f64::from(byte[0]) / 255.0 * 0.5)
}

/// A destination's rest after its `failures`-th failure in a row: 1 s
/// doubling to 5 minutes.
pub fn destination_rest(failures: i64) -> Duration {
    let exp = failures.clamp(1, 20) as u32 - 1;
    Duration::from_secs(1).saturating_mul(1 << exp).min(Duration::from_secs(300))
}

/// Milliseconds for a timestamp, saturating instead of overflowing.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_with_jitter_and_stop_at_the_cap() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        for attempts in 1..=4 {
            let d = retry_delay(attempts, base, max);
            let nominal = base * (1 << (attempts - 1));
            assert!(d >= nominal.mul_f64(0.74) && d <= nominal.mul_f64(1.26), "{attempts}: {d:?}");
        }
        assert!(retry_delay(1000, base, max) <= max.mul_f64(1.26));
        assert_eq!(destination_rest(1), Duration::from_secs(1));
        assert_eq!(destination_rest(100), Duration::from_secs(300));
        assert_eq!(millis(Duration::from_secs(u64::MAX)), i64::MAX);
    }
}
