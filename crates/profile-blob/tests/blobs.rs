//! The blob store against the local disk and a real S3-compatible server.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use profile_blob::{ObjectBlobStore, S3Settings};
use profile_domain::ports::BlobStore;
use profile_testkit::{S3_ACCESS_KEY, S3_SECRET_KEY, S3Server};

/// What every backend must do.
async fn behaves_as_a_blob_store(store: &ObjectBlobStore) {
    assert_eq!(store.get("pictures/u1/a-64.jpg").await.unwrap(), None, "missing is None, not an error");
    store.put("pictures/u1/a-64.jpg", b"first".to_vec()).await.unwrap();
    store.put("pictures/u1/a-64.jpg", b"second".to_vec()).await.unwrap();
    assert_eq!(store.get("pictures/u1/a-64.jpg").await.unwrap().as_deref(), Some(&b"second"[..]));
    store.put("pictures/u1/b-64.png", vec![0; 70_000]).await.unwrap();
    store.put("pending/u1/c-64.jpg", b"p".to_vec()).await.unwrap();
    store.put("pictures/u10/d-64.jpg", b"other user".to_vec()).await.unwrap();

    let mut keys: Vec<String> = store.list("pictures/u1").await.unwrap().into_iter().map(|b| b.key).collect();
    keys.sort();
    assert_eq!(keys, ["pictures/u1/a-64.jpg", "pictures/u1/b-64.png"], "a prefix is a whole segment");
    let listed = store.list("pending").await.unwrap();
    assert_eq!(listed.len(), 1);
    let age = time::OffsetDateTime::now_utc() - listed[0].modified_at;
    assert!(age.whole_minutes().abs() < 5, "the modification time is real: {age}");

    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    store.copy("pending/u1/c-64.jpg", "pictures/u1/c-64.jpg").await.unwrap();
    let time_of = |list: &[profile_domain::ports::BlobInfo], key: &str| {
        list.iter().find(|b| b.key == key).map(|b| b.modified_at).unwrap()
    };
    let source_time = time_of(&store.list("pending").await.unwrap(), "pending/u1/c-64.jpg");
    let copy_time = time_of(&store.list("pictures/u1").await.unwrap(), "pictures/u1/c-64.jpg");
    assert!(copy_time > source_time, "a copy is a new file, young to the sweeper");
    assert_eq!(store.get("pictures/u1/c-64.jpg").await.unwrap().as_deref(), Some(&b"p"[..]));
    assert!(store.copy("pending/u1/missing.jpg", "pictures/u1/x.jpg").await.is_err());

    store.delete("pictures/u1/a-64.jpg").await.unwrap();
    store.delete("pictures/u1/a-64.jpg").await.unwrap();
    assert_eq!(store.get("pictures/u1/a-64.jpg").await.unwrap(), None);
    assert_eq!(store.get("pictures/u1/b-64.png").await.unwrap().map(|b| b.len()), Some(70_000));
    assert!(store.list("nothing-here").await.unwrap().is_empty());
    assert!(store.get("bad//key").await.is_err(), "keys are plain segments");
}

#[tokio::test]
async fn the_local_disk_is_a_blob_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}/blobs", dir.path().display());
    let store = ObjectBlobStore::open(&url, &S3Settings::default()).unwrap();
    behaves_as_a_blob_store(&store).await;
    assert!(dir.path().join("blobs/pictures/u1/b-64.png").is_file(), "files are where the URL says");
}

#[tokio::test]
async fn an_s3_compatible_server_is_a_blob_store() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = S3Server::start(dir.path().to_owned(), "profile") else { return };
    let settings = S3Settings {
        endpoint: Some(server.endpoint()),
        region: None,
        access_key_id: Some(S3_ACCESS_KEY.into()),
        secret_access_key: Some(S3_SECRET_KEY.into()),
        allow_http: true,
    };
    let store = ObjectBlobStore::open("s3://profile/tenant-a", &settings).unwrap();
    behaves_as_a_blob_store(&store).await;
    assert!(server.root().join("profile/tenant-a/pictures/u1/b-64.png").is_file(), "under the bucket and prefix");
    let wrong = S3Settings { secret_access_key: Some("wrong".into()), ..settings };
    let refused = ObjectBlobStore::open("s3://profile", &wrong).unwrap();
    let error = refused.put("x/y", b"z".to_vec()).await.unwrap_err();
    assert!(!format!("{error:?}").contains("x/y"), "errors do not name keys: {error:?}");
}

#[test]
fn urls_other_than_file_and_s3_are_refused() {
    for bad in ["http://example.com/x", "./data", "s3://", "gs://bucket"] {
        assert!(ObjectBlobStore::open(bad, &S3Settings::default()).is_err(), "{bad}");
    }
}
