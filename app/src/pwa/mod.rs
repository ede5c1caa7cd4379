//! The installable-app layer: push opt-in, install prompt, update and
//! offline banners, settings. State lives in `PwaState`; the browser side
//! (`pwa::client`) fills it and runs its commands.

mod banners;
#[cfg(feature = "hydrate")]
mod client;
mod install_prompt;
mod push_opt_in;
mod settings;

pub use banners::{CrashBanner, OfflineBanner, UpdateBanner};
pub use install_prompt::InstallPrompt;
pub use push_opt_in::{PushOptIn, PushPrompt};
pub use settings::SettingsPage;

use leptos::prelude::*;

/// Where this browser stands with notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushStatus {
    /// Not known yet (server rendering, or before the browser checked).
    Unknown,
    /// No service worker, Push API or Notification API here.
    Unsupported,
    /// iOS Safari in a tab: web push works only from the Home Screen app.
    NeedsInstall,
    /// Never asked.
    Default,
    Granted,
    Denied,
}

impl PushStatus {
    /// The state's name, as `data-state` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Unsupported => "unsupported",
            Self::NeedsInstall => "needsinstall",
            Self::Default => "default",
            Self::Granted => "granted",
            Self::Denied => "denied",
        }
    }
}

/// How this browser can install the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallOffer {
    None,
    /// Chromium's `beforeinstallprompt` was captured.
    Native,
    /// iOS Safari: Share → Add to Home Screen.
    IosInstructions,
}

/// What the UI asks the browser side to do.
#[derive(Debug, Clone)]
pub enum PwaCommand {
    EnablePush,
    Install,
    DismissInstall,
    DismissPushPrompt,
    ApplyUpdate,
    /// Signed out: drop the pages kept for offline use and this browser's
    /// push subscription.
    SignedOut,
}

#[derive(Clone, Copy)]
pub struct PwaState {
    pub push: RwSignal<PushStatus>,
    /// This browser has a subscription the server knows about.
    pub subscribed: RwSignal<bool>,
    pub push_error: RwSignal<Option<String>>,
    pub install: RwSignal<InstallOffer>,
    /// Page loads so far (the install prompt waits for the second).
    pub visits: RwSignal<u32>,
    pub standalone: RwSignal<bool>,
    pub install_dismissed: RwSignal<bool>,
    pub push_prompt_dismissed: RwSignal<bool>,
    /// A new service worker is waiting to take over.
    pub update_ready: RwSignal<bool>,
    pub online: RwSignal<bool>,
    commands: StoredValue<Option<Callback<PwaCommand>>>,
}

impl PwaState {
    pub fn new() -> Self {
        Self {
            push: RwSignal::new(PushStatus::Unknown),
            subscribed: RwSignal::new(false),
            push_error: RwSignal::new(None),
            install: RwSignal::new(InstallOffer::None),
            visits: RwSignal::new(0),
            standalone: RwSignal::new(false),
            install_dismissed: RwSignal::new(false),
            push_prompt_dismissed: RwSignal::new(false),
            update_ready: RwSignal::new(false),
            online: RwSignal::new(true),
            commands: StoredValue::new(None),
        }
    }

    pub fn set_commands(&self, handler: Callback<PwaCommand>) {
        self.commands.set_value(Some(handler));
    }

    pub fn command(&self, command: PwaCommand) {
        if let Some(handler) = self.commands.get_value() {
            handler.run(command);
        }
    }

    /// Show the install prompt: from the second visit, not when already
    /// installed, not after a dismissal, and only when installing is possible.
    pub fn offer_install(&self) -> bool {
        self.visits.get() >= 2
            && !self.standalone.get()
            && !self.install_dismissed.get()
            && self.install.get() != InstallOffer::None
    }
}

impl Default for PwaState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_pwa() -> PwaState {
    expect_context::<PwaState>()
}

/// False while the calling view hydrates (and always on the server), true
/// from its first effect. What only the browser knows (permission, visits)
/// must render as the server did until then: hydration claims the server's
/// nodes for whatever the client builds, without comparing them. Seen: the
/// PWA runtime had found "iOS, not installed" before the lazy `/settings`
/// route hydrated, and the iOS explanation kept the server's "Checking…".
fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// Provides `PwaState` and, in the browser, starts the service worker,
/// notification and install handling.
#[component]
pub fn PwaProvider(children: Children) -> impl IntoView {
    let pwa = PwaState::new();
    provide_context(pwa);
    let chat = crate::chat::ui::state::use_chat();
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let owner = Owner::current().unwrap_or_default();
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            #[cfg(feature = "hydrate")]
            client::start(owner.clone(), pwa, chat);
            let _ = chat;
        }
    });
    children()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_is_offered_from_the_second_visit_unless_installed_or_dismissed() {
        let owner = Owner::new();
        owner.with(|| {
            let pwa = PwaState::new();
            pwa.install.set(InstallOffer::Native);
            pwa.visits.set(1);
            assert!(!pwa.offer_install(), "never on the first visit");
            pwa.visits.set(2);
            assert!(pwa.offer_install());
            pwa.standalone.set(true);
            assert!(!pwa.offer_install(), "not when running installed");
            pwa.standalone.set(false);
            pwa.install_dismissed.set(true);
            assert!(!pwa.offer_install(), "not after a dismissal");
            pwa.install_dismissed.set(false);
            pwa.install.set(InstallOffer::None);
            assert!(!pwa.offer_install(), "not when the browser cannot install");
        });
    }
}
