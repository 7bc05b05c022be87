//! `aws::secretsmanager::describe` against moto: what `--secret-id` is checked with (never the
//! value).

use evrelay::aws::secretsmanager::describe;

use crate::harness::Moto;

#[tokio::test]
async fn describe_finds_by_name_and_arn_and_sees_a_scheduled_deletion() {
    let moto = Moto::start();
    let sm = aws_sdk_secretsmanager::Client::new(&moto.sdk().await);
    let arn = sm
        .create_secret()
        .name("EventsToVpcSecret")
        .secret_string("tutorial-key-0001")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_string();

    let by_name = describe(&sm, "EventsToVpcSecret").await.unwrap().unwrap();
    assert_eq!(by_name.arn, arn);
    assert_eq!(by_name.name, "EventsToVpcSecret");
    assert_eq!(by_name.kms_key_id, None);
    assert_eq!(by_name.deleted_date, None);
    assert_eq!(describe(&sm, &arn).await.unwrap().unwrap().arn, arn);

    assert_eq!(describe(&sm, "no-such-secret").await.unwrap(), None);

    sm.delete_secret()
        .secret_id(&arn)
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
    let doomed = describe(&sm, &arn).await.unwrap().unwrap();
    assert!(doomed.deleted_date.is_some(), "{doomed:?}");
}
