//! A pair's deploy refused by what is wrong in its secondary Region: both relays share their
//! names, so the error says which Region it is about; nothing is made in either.

use crate::harness::Moto;
use crate::pair_deploy::{both_regions, stderr};
use crate::pair_fixtures::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_vpc_that_is_not_there_is_named_with_its_region() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let before = both_regions(&moto).await;
    // The primary's VPC id given for the secondary: a slip an operator makes.
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend([
        "--secondary-region".to_string(),
        SECONDARY.to_string(),
        "--secondary-vpc-id".to_string(),
        nets.primary.vpc_id.clone(),
    ]);
    let out = moto.evrelay().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("not found in {SECONDARY}")), "{err}");
    // The hint's flags are the secondary's own.
    assert!(
        err.contains("check the id and --secondary-region; without --secondary-vpc-id"),
        "{err}"
    );
    assert_eq!(both_regions(&moto).await, before, "nothing made");
}
