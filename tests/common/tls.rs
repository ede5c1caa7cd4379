//! An HTTPS listener like a real push service's: a self-signed certificate
//! for 127.0.0.1 and HTTP/2 or HTTP/1.1 by ALPN. Shared by the tests and the
//! push sender bench (included there by path).

use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::rustls;

/// Serves `app` over TLS on `listener` until the runtime stops. Returns the
/// certificate (DER) a client must trust.
pub fn serve_tls(listener: TcpListener, app: axum::Router) -> Vec<u8> {
    app::push::sender::install_crypto_provider();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("self-signed certificate");
    let der = cert.cert.der().to_vec();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone().into()], key)
        .expect("TLS server config");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { continue };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else { return };
                let mut server = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                // Real push services allow many streams per connection.
                server.http2().max_concurrent_streams(1000);
                let _ = server.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app)).await;
            });
        }
    });
    der
}
