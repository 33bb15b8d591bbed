//! Quickstart: connect, read the server version, look up a product, submit a test
//! report, read it back and find it with a header query.
//!
//! By default it runs against the embedded mock server (`wats-mock`), so it works
//! offline: `cargo run --example quickstart`. To use a real WATS server set
//! `WATS_BASE_URL` and `WATS_TOKEN`; the report is only submitted to a real server
//! when `WATS_QUICKSTART_SUBMIT=1` is set too.

use wats::core::{Status, UutReportBuilder};
use wats::{Client, CorrelationExt, HeaderQuery};

#[tokio::main(flavor = "current_thread")]
async fn main() -> wats::Result<()> {
    // A real server from the environment, or the embedded mock.
    let (client, mock) = match Client::from_env() {
        Ok(client) => (client, None),
        Err(_) => {
            let mock = wats_mock::MockServer::start();
            let client = Client::builder()
                .base_url(mock.url())
                .token("cXVpY2tzdGFydDpkZW1v")
                .build()?;
            (client, Some(mock))
        }
    };
    println!("WATS at {}", client.base_url());
    println!("server version: {}", client.server_version().await?);

    let products = client.products().list().await?;
    println!("{} products", products.len());
    if let Some(first) = products.first().and_then(|p| p.part_number.as_str()) {
        let product = client.products().get(first).await?;
        println!("{first}: {} revision(s)", product.revisions.items().len());
    }

    let may_submit =
        mock.is_some() || std::env::var("WATS_QUICKSTART_SUBMIT").as_deref() == Ok("1");
    if !may_submit {
        println!("(set WATS_QUICKSTART_SUBMIT=1 to submit a demo report to this server)");
        return Ok(());
    }

    let report = UutReportBuilder::new("PCBA-1001", "QS-0001", "B", 10)
        .station("QUICKSTART-PC", "Lab", "Development")
        .operator("quickstart")
        .result(Status::Passed)
        .build()?;
    // Everything inside shares one correlation id, visible in logs and on the wire.
    let id = async {
        let id = client.reports().submit(&report).await?;
        let back = client.reports().get(&id).await?;
        println!(
            "submitted {id}: sn {:?}, result {:?}",
            back.sn(),
            back.result()
        );
        Ok::<_, wats::Error>(id)
    }
    .with_correlation_id("quickstart-1")
    .await?;

    let headers = client
        .reports()
        .query_headers(&HeaderQuery::uut().serial_number("QS-0001").top(10))
        .await?;
    println!(
        "header query found {} report(s); ours included: {}",
        headers.len(),
        headers.iter().any(|h| h.uuid.as_str() == Some(id.as_str()))
    );
    Ok(())
}
