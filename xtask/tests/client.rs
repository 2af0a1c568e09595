//! The generated crate as an application uses it, against a mock Graph:
//! builders follow the URL, bodies carry exactly what was set, unknown
//! fields and enum values survive, pages are followed, errors are typed.

use std::time::Duration;

use graph_sdk::models::{
    DirectoryObject, HardwareConfigurationUserState, RunState, User, UserCheckMemberGroupsBody,
};
use graph_sdk::{Client, Content, Error, Nullable, RetryPolicy};
use graph_sdk::{Reference, cast};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("token")
        .retry_policy(
            RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .expect("client")
}

#[tokio::test]
async fn seed_patch_sends_only_what_was_set_and_keeps_unknown_fields() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(
            "/deviceManagement/hardwareConfigurations/hc%201/userRunStates/us%2F2",
        ))
        .and(body_json(
            json!({"upn": "ada@contoso.com", "userEmail": null, "failedDeviceCount": 0}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.type": "#microsoft.graph.hardwareConfigurationUserState",
            "id": "us/2",
            "upn": "ada@contoso.com",
            "userEmail": null,
            "lastStateUpdateDateTime": "2017-01-01T00:02:58.4418045-08:00",
            "failedDeviceCount": 0,
            "addedLater": {"nested": true}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let body = HardwareConfigurationUserState {
        upn: "ada@contoso.com".into(),
        user_email: Nullable::Null,
        failed_device_count: 0.into(),
        ..Default::default()
    };
    let updated = client(&server)
        .device_management()
        .hardware_configurations()
        .item("hc 1")
        .user_run_states()
        .item("us/2")
        .update(&body)
        .await
        .expect("updated")
        .expect("the server sent the object back");
    assert_eq!(updated.id, Nullable::Value("us/2".to_owned()));
    assert!(
        updated.user_email.is_null(),
        "explicit null is kept apart from absent"
    );
    assert!(updated.user_name.is_absent());
    let when = updated
        .last_state_update_date_time
        .as_ref()
        .expect("timestamp");
    assert_eq!(when.timestamp(), 1_483_257_778);
    // Reading, then writing back, loses nothing.
    let written = serde_json::to_value(&updated).expect("serialize");
    assert_eq!(written["addedLater"], json!({"nested": true}));
    assert_eq!(
        written["@odata.type"],
        "#microsoft.graph.hardwareConfigurationUserState"
    );
}

#[tokio::test]
async fn alternate_paths_and_keys_reach_the_same_operation() {
    let server = MockServer::start().await;
    for p in ["/me", "/users/ada@contoso.com"] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(query_param("$select", "id,displayName"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": "1", "displayName": "Ada", "ageGroup": "adult"})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let me = client
        .me()
        .get()
        .select(["id", "displayName"])
        .await
        .expect("me");
    let by_upn = client
        .users()
        .item("ada@contoso.com")
        .get()
        .select(["id", "displayName"])
        .await
        .expect("user");
    assert_eq!(me, by_upn);
    assert_eq!(me.display_name.as_ref().map(String::as_str), Some("Ada"));
}

#[tokio::test]
async fn lists_follow_next_links_across_pages() {
    let server = MockServer::start().await;
    let next = format!("{}/users?$skiptoken=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "3"}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("$top", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"value": [{"id": "1"}, {"id": "2"}], "@odata.nextLink": next}),
            ),
        )
        .mount(&server)
        .await;
    let users = client(&server)
        .users()
        .list()
        .top(2)
        .collect_all()
        .await
        .expect("users");
    let ids: Vec<_> = users
        .iter()
        .filter_map(|u| u.id.as_ref().cloned())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn functions_actions_refs_and_deletes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/me/reminderView(StartDateTime='2017-06-05T10:00:00',EndDateTime='o''clock')",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"eventSubject": "Standup"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/users/1/checkMemberGroups"))
        .and(body_json(json!({"groupIds": ["g1", "g2"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": ["g1"]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/groups/g1/members/$ref"))
        .and(body_json(
            json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u1"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/groups/g1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let reminders = client
        .me()
        .reminder_view("2017-06-05T10:00:00", "o'clock")
        .await
        .expect("reminders");
    assert_eq!(reminders.value.len(), 1);
    let body = UserCheckMemberGroupsBody {
        group_ids: vec!["g1".into(), "g2".into()],
    };
    let groups = client
        .users()
        .item("1")
        .check_member_groups(&body)
        .await
        .expect("groups");
    assert_eq!(groups.value, ["g1"]);
    let member = Reference::new("https://graph.microsoft.com/v1.0/directoryObjects/u1");
    client
        .groups()
        .item("g1")
        .members()
        .add_ref(&member)
        .await
        .expect("added");
    client.groups().item("g1").delete().await.expect("deleted");
}

#[tokio::test]
async fn api_errors_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/groups/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": {"code": "Request_ResourceNotFound", "message": "gone", "innerError": {"request-id": "r-1"}}
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .groups()
        .item("missing")
        .get()
        .await
        .expect_err("404");
    assert!(err.is_not_found());
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code.as_deref(), Some("Request_ResourceNotFound"));
    assert_eq!(api.request_id.as_deref(), Some("r-1"));
}

#[test]
fn enums_tolerate_values_they_do_not_know() {
    let known: RunState = serde_json::from_value(json!("success")).expect("known");
    assert_eq!(known, RunState::Success);
    let later: RunState = serde_json::from_value(json!("pausedByPolicy")).expect("unknown");
    assert_eq!(later, RunState::Unrecognized("pausedByPolicy".into()));
    assert_eq!(
        serde_json::to_value(&later).expect("write"),
        json!("pausedByPolicy")
    );
}

#[test]
fn derived_types_write_and_read_their_odata_type() {
    let user = User {
        display_name: "Ada".into(),
        ..User::new()
    };
    let json = serde_json::to_value(&user).expect("write");
    assert_eq!(
        json,
        json!({"@odata.type": "#microsoft.graph.user", "displayName": "Ada"})
    );
    // A member read as its base type keeps the derived fields and can be cast.
    let member: DirectoryObject = serde_json::from_value(json!({
        "@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": "Ada"
    }))
    .expect("read");
    assert_eq!(member.odata_type.as_deref(), Some("#microsoft.graph.user"));
    let user: User = cast(&member).expect("cast");
    assert_eq!(user.display_name, Nullable::Value("Ada".into()));
    assert_eq!(user.id, Nullable::Value("u1".into()));
    // Up the hierarchy is fine; sideways is an error that says why.
    let _: DirectoryObject = cast(&user).expect("a user is a directoryObject");
    let group: DirectoryObject = serde_json::from_value(json!({
        "@odata.type": "#microsoft.graph.group", "id": "g1"
    }))
    .expect("read");
    let err = cast::<User>(&group).expect_err("a group is no user");
    assert!(
        matches!(&err, Error::WrongType { found, .. } if found == "#microsoft.graph.group"),
        "{err}"
    );
    assert!(err.to_string().contains("cannot cast"), "{err}");
}

/// Endpoints the docs do not describe are a call away, with the client's
/// auth, retries, errors, query options and typed decoding, and no
/// `reqwest` in the application.
#[tokio::test]
async fn raw_requests_share_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/me/insights/trending"))
        .and(query_param("$top", "2"))
        .and(wiremock::matchers::header("authorization", "Bearer token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "t1"}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/me/sendMail"))
        .and(body_json(json!({"saveToSentItems": false})))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/me/events/e1"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"error": {"code": "ErrorItemNotFound", "message": "gone"}})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let trending = client
        .get("/me/insights/trending")
        .top(2)
        .await
        .expect("raw get");
    assert_eq!(trending["value"][0]["id"], "t1");
    let typed: graph_sdk::Page<User> = client
        .get(format!("{}/me/insights/trending", server.uri()))
        .top(2)
        .json_response()
        .await
        .expect("typed raw get by URL");
    assert_eq!(typed.value.len(), 1);
    let sent = client
        .post("/me/sendMail")
        .json_body(&json!({"saveToSentItems": false}))
        .await
        .expect("raw post");
    assert!(sent.is_none());
    let err = client.delete("/me/events/e1").await.expect_err("404");
    assert_eq!(err.code(), Some("ErrorItemNotFound"));
    let _: graph_sdk::Method = graph_sdk::Method::GET;
    let _: Option<graph_sdk::StatusCode> = err
        .status()
        .and_then(|s| graph_sdk::StatusCode::from_u16(s).ok());
}

#[test]
fn golden_identifiers_serialise_under_their_api_names() {
    use golden::models::{LifecycleState, Thing};
    let thing = Thing {
        r#type: "t".to_owned().into(),
        self_: "s".to_owned().into(),
        n3d_model: "m".to_owned().into(),
        display_name_2: "d".to_owned().into(),
        additional_properties_property: "a".to_owned().into(),
        state: LifecycleState::V24hours.into(),
        parent: golden::Nullable::Value(Box::new(Thing::default())),
        ..Default::default()
    };
    let json = serde_json::to_value(&thing).expect("write");
    assert_eq!(
        json,
        json!({"type": "t", "self": "s", "3dModel": "m", "displayName": "d", "additionalProperties": "a", "state": "24Hours", "parent": {}})
    );
    let back: Thing = serde_json::from_value(json).expect("read");
    assert_eq!(back, thing);
}

/// A write the docs show answering with the object succeeds with `None`
/// when the server answers `204 No Content`; a GET with no body is an error
/// that says so; a DELETE's `204` is `()`.
#[tokio::test]
async fn empty_success_bodies_by_method_kind() {
    let server = MockServer::start().await;
    let state = "/deviceManagement/hardwareConfigurations/hc/userRunStates/us";
    Mock::given(method("PATCH"))
        .and(path(state))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(state))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/users"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "u1"})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/users/u1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);
    let item = client
        .device_management()
        .hardware_configurations()
        .item("hc")
        .user_run_states()
        .item("us");
    let patched = item
        .update(&HardwareConfigurationUserState::default())
        .await
        .expect("a 204 is a success");
    assert!(patched.is_none());
    let err = item.get().await.expect_err("a GET must return its object");
    assert!(err.to_string().contains("no body"), "{err}");
    let created = client
        .users()
        .create(&User::default())
        .await
        .expect("created")
        .expect("the server sent the user");
    assert_eq!(created.id, Nullable::Value("u1".to_owned()));
    client.users().item("u1").delete().await.expect("deleted");
}

/// A successful response's status and headers are there when asked for.
#[tokio::test]
async fn response_metadata_on_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/users"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("location", "https://graph.microsoft.com/v1.0/users/u9")
                .insert_header("etag", "W/\"1\"")
                .insert_header("request-id", "req-9")
                .insert_header("preference-applied", "return=minimal")
                .set_body_json(json!({"id": "u9"})),
        )
        .mount(&server)
        .await;
    let created = client(&server)
        .users()
        .create(&User::default())
        .send_with_response()
        .await
        .expect("created");
    assert_eq!(created.status, graph_sdk::StatusCode::CREATED);
    assert_eq!(
        created.location(),
        Some("https://graph.microsoft.com/v1.0/users/u9")
    );
    assert_eq!(created.etag(), Some("W/\"1\""));
    assert_eq!(created.request_id(), Some("req-9"));
    assert_eq!(created.preference_applied(), Some("return=minimal"));
    let user = created.body.expect("a body");
    assert_eq!(user.id, Nullable::Value("u9".to_owned()));
}

/// A delta round returns the items, the removed entries (typed) and the
/// final delta link; the saved link starts the next round.
#[tokio::test]
async fn delta_rounds_keep_the_delta_link_and_type_removals() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/users/delta"))
        .and(query_param("$select", "displayName"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "u1", "displayName": "Ada"}],
            "@odata.nextLink": format!("{base}/users/delta?$skiptoken=p2")
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users/delta"))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [
                {"id": "u2", "displayName": "Grace"},
                {"id": "u3", "@removed": {"reason": "deleted"}}
            ],
            "@odata.deltaLink": format!("{base}/users/delta?$deltatoken=d1")
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users/delta"))
        .and(query_param("$deltatoken", "d1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "u1", "displayName": "Ada L."}],
            "@odata.deltaLink": format!("{base}/users/delta?$deltatoken=d2")
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let round = client
        .users()
        .delta()
        .select(["displayName"])
        .collect_delta()
        .await
        .expect("first round");
    let names: Vec<_> = round.items.iter().map(|u| u.display_name.clone()).collect();
    assert_eq!(
        names,
        [
            Nullable::Value("Ada".into()),
            Nullable::Value("Grace".into())
        ]
    );
    assert_eq!(
        round.removed,
        [graph_sdk::Removed {
            id: "u3".into(),
            reason: "deleted".into()
        }]
    );
    let link = round.delta_link.expect("a delta link");
    assert!(link.ends_with("$deltatoken=d1"), "{link}");
    let next = client
        .delta_from::<User>(link)
        .collect_delta()
        .await
        .expect("next round");
    assert_eq!(next.items.len(), 1);
    assert!(next.delta_link.expect("link").ends_with("d2"));
}

/// Read, change one field, write back: the PATCH carries that field only,
/// not `@odata.context`, the read-only id, or the nulls that came in.
#[tokio::test]
async fn read_modify_write_sends_only_the_change() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
            "@odata.etag": "W/\"7\"",
            "id": "u1",
            "displayName": "Ada",
            "jobTitle": null,
            "officeLocation": "B1",
            "futureProperty": {"kept": true}
        })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/users/u1"))
        .and(body_json(
            json!({"displayName": "Ada L.", "mobilePhone": null}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let user = client.users().item("u1").get().await.expect("read");
    let mut edited = user.clone();
    edited.display_name = "Ada L.".into();
    edited.mobile_phone = Nullable::Null;
    assert!(
        edited.additional_properties.contains_key("futureProperty"),
        "unknown fields survive the read"
    );
    client
        .users()
        .item("u1")
        .update(&edited.changes_from(&user))
        .await
        .expect("updated");
}

#[tokio::test]
async fn count_and_search_send_eventual_consistency_where_the_page_requires_it() {
    use wiremock::matchers::header;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/groups"))
        .and(query_param("$count", "true"))
        .and(header("consistencylevel", "eventual"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.count": 1,
            "@odata.type": "#microsoft.graph.groupCollection",
            "value": [{"id": "g1"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .groups()
        .list()
        .count(true)
        .await
        .expect("a page");
    assert_eq!(page.count, Some(1));
    // The page keeps what it does not declare.
    assert_eq!(
        page.additional_properties.get("@odata.type"),
        Some(json!("#microsoft.graph.groupCollection"))
    );
}

#[tokio::test]
async fn a_decode_error_names_the_endpoint_and_the_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "1", "accountEnabled": true}, {"id": "2", "accountEnabled": "yes"}]
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .users()
        .list()
        .await
        .expect_err("a string where a boolean belongs");
    let shown = err.to_string();
    // One-pass decoding tracks the path down to the field, and the place
    // in the body.
    assert!(shown.starts_with("failed to decode the response of GET /users at `value[1].accountEnabled`: invalid type: string \"yes\", expected a boolean at line 1 column"), "{shown}");
    match err {
        Error::Decode { path, endpoint, .. } => {
            assert_eq!(path, "value[1].accountEnabled");
            assert_eq!(endpoint, "GET /users");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

/// A `$batch` endpoint that answers by path, throttles `/groups` once, and
/// records the batches it got.
#[derive(Clone, Default)]
struct BatchGraph {
    batches: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl wiremock::Respond for BatchGraph {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let batch: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON");
        let mut seen = self.batches.lock().expect("lock");
        let throttle = seen.is_empty();
        seen.push(batch.clone());
        let answers: Vec<serde_json::Value> = batch["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .map(|item| {
                let id = item["id"].clone();
                let url = item["url"].as_str().unwrap_or_default();
                match (item["method"].as_str().unwrap_or_default(), url) {
                    ("GET", "/users/u1") => json!({"id": id, "status": 200, "body": {
                        "id": "u1", "displayName": "Ada", "accountEnabled": true
                    }}),
                    ("PATCH", "/users/u1") => json!({"id": id, "status": 204}),
                    ("GET", "/groups") if throttle => json!({
                        "id": id, "status": 429, "headers": {"Retry-After": "0"},
                        "body": {"error": {"code": "TooManyRequests", "message": "later"}}
                    }),
                    ("GET", "/groups") => json!({"id": id, "status": 200, "body": {
                        "value": [{"id": "g1", "displayName": "Team"}]
                    }}),
                    _ => json!({"id": id, "status": 404, "body": {
                        "error": {"code": "Request_ResourceNotFound", "message": "gone"}
                    }}),
                }
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "responses": answers }))
    }
}

#[tokio::test]
async fn a_typed_batch_of_generated_requests_answers_each_in_its_type() {
    let server = MockServer::start().await;
    let graph = BatchGraph::default();
    Mock::given(method("POST"))
        .and(path("/$batch"))
        .respond_with(graph.clone())
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = client.batch();
    let user = batch.add(client.users().item("u1").get());
    let body = User {
        job_title: "Auditor".into(),
        ..Default::default()
    };
    let update = batch.add_after(client.users().item("u1").update(&body), &[user.id()]);
    let missing = batch.add(client.groups().item("nope").get());
    let groups = batch.add(client.groups().list());
    let mut answers = batch.send().await.expect("the batch is sent");

    let user: User = answers.take(user).expect("the user");
    assert_eq!(user.display_name, Nullable::Value("Ada".to_owned()));
    answers.take(update).expect("the update");
    let error: Error = answers.take(missing).expect_err("the missing group");
    assert!(error.is_not_found(), "{error}");
    let groups = answers.take(groups).expect("the groups, after a retry");
    assert_eq!(groups.value.len(), 1);
    assert_eq!(
        groups.value[0].display_name,
        Nullable::Value("Team".to_owned())
    );

    let batches = graph.batches.lock().expect("lock").clone();
    assert_eq!(
        batches.len(),
        2,
        "the throttled request is sent again alone"
    );
    assert_eq!(
        batches[0]["requests"][1]["body"],
        json!({"jobTitle": "Auditor"})
    );
    assert_eq!(batches[0]["requests"][1]["dependsOn"], json!(["1"]));
    assert_eq!(batches[1]["requests"][0]["url"], "/groups");
}

#[tokio::test]
async fn field_enums_name_properties_for_select_order_by_and_expand() {
    use graph_sdk::models::{GroupField, GroupNav, UserField};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/groups"))
        .and(query_param("$select", "id,displayName"))
        .and(query_param("$orderby", "displayName desc,id"))
        .and(query_param("$expand", "members"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .groups()
        .list()
        .select([GroupField::Id, GroupField::DisplayName])
        .order_by([GroupField::DisplayName.desc(), GroupField::Id.asc()])
        .expand([GroupNav::Members])
        .await
        .expect("the list");
    assert!(page.value.is_empty());
    // The wire names, whatever the Rust spelling.
    assert_eq!(UserField::UserPrincipalName.as_str(), "userPrincipalName");
    assert_eq!(format!("{:?}", UserField::DisplayName), "displayName");
    assert_eq!(UserField::DisplayName.desc().as_str(), "displayName desc");
}

#[tokio::test]
async fn a_date_function_argument_is_typed_and_written_as_an_odata_date() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/reports/getOffice365ActiveUserDetail(date=2023-06-05)",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("Report Refresh Date,User Principal Name\n"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let day = chrono::NaiveDate::from_ymd_opt(2023, 6, 5).expect("a date");
    let csv = client(&server)
        .reports()
        .get_office365_active_user_detail(day)
        .await
        .expect("the report")
        .text()
        .await
        .expect("CSV text");
    assert!(csv.starts_with("Report Refresh Date"));
}

#[tokio::test]
async fn a_base_typed_collection_dispatches_on_odata_type_and_loses_nothing() {
    use graph_sdk::models::AnyDirectoryObject;
    let server = MockServer::start().await;
    let page = json!({
        "value": [
            {"@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": "Ada", "jobTitle": "Auditor"},
            {"@odata.type": "#microsoft.graph.group", "id": "g2", "displayName": "Team", "mailEnabled": false},
            {"@odata.type": "#microsoft.graph.device", "id": "d3", "displayName": "Laptop", "isCompliant": true},
            {"id": "o4"}
        ]
    });
    Mock::given(method("GET"))
        .and(path("/groups/g1/members"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page.clone()))
        .mount(&server)
        .await;
    let members = client(&server)
        .groups()
        .item("g1")
        .members()
        .list()
        .await
        .expect("the members");
    let kinds: Vec<&str> = members
        .value
        .iter()
        .map(|m| match m {
            AnyDirectoryObject::User(user) => {
                assert_eq!(user.job_title, Nullable::Value("Auditor".to_owned()));
                "user"
            }
            AnyDirectoryObject::Group(group) => {
                assert_eq!(group.mail_enabled, Nullable::Value(false));
                "group"
            }
            // `device` is no type of this crate: kept whole.
            AnyDirectoryObject::Other(value) => {
                assert_eq!(value["isCompliant"], json!(true));
                "other"
            }
            AnyDirectoryObject::DirectoryObject(_) => "directoryObject",
            _ => "unexpected",
        })
        .collect();
    assert_eq!(kinds, ["user", "group", "other", "directoryObject"]);
    assert_eq!(
        members.value[2].odata_type(),
        Some("#microsoft.graph.device")
    );
    assert_eq!(
        serde_json::to_value(&members).expect("serializes"),
        page,
        "written back as read"
    );
}

#[tokio::test]
async fn a_page_where_one_user_is_typed_is_an_error_not_an_empty_user() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/ada"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "value": [{"id": "1", "displayName": "Ada"}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users/bob"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
            "id": "2",
            "displayName": "Bob"
        })))
        .mount(&server)
        .await;
    let users = client(&server).users();
    match users.item("ada").get().await {
        Err(Error::UnexpectedCollection { endpoint, .. }) => {
            assert_eq!(endpoint, "GET /users/ada");
        }
        other => panic!("a page decoded as one user: {other:?}"),
    }
    let bob = users.item("bob").get().await.expect("one user");
    assert_eq!(bob.id, Nullable::Value("2".to_owned()));
}

#[tokio::test]
async fn the_token_stays_home_and_a_rejected_token_is_replaced_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let graph = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    // The first token is rejected as invalid; the fresh one is accepted.
    Mock::given(method("GET"))
        .and(path("/users/ada"))
        .and(wiremock::matchers::header(
            "authorization",
            "Bearer token-1",
        ))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "WWW-Authenticate",
            r#"Bearer realm="", error="invalid_token", error_description="expired""#,
        ))
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/users/ada"))
        .and(wiremock::matchers::header(
            "authorization",
            "Bearer token-2",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "ada"})))
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/monitor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "completed"})))
        .mount(&elsewhere)
        .await;
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let tokens = graph_sdk::runtime::FnTokenProvider(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok::<_, Error>(format!("token-{n}")) }
    });
    let client: Client = Client::builder()
        .base_url(graph.uri())
        .token_provider(tokens)
        .build()
        .expect("client");
    let ada = client
        .users()
        .item("ada")
        .get()
        .await
        .expect("retried once");
    assert_eq!(ada.id, Nullable::Value("ada".to_owned()));
    assert_eq!(asked.load(Ordering::SeqCst), 2);

    let monitor = format!("{}/monitor", elsewhere.uri());
    client.get(monitor).await.expect("monitor answered");
    let seen = elsewhere.received_requests().await.expect("recorded");
    assert_eq!(seen.len(), 1);
    assert!(
        !seen[0].headers.contains_key("authorization"),
        "the token went to another origin"
    );
    assert_eq!(asked.load(Ordering::SeqCst), 2, "no token asked for it");
}

#[tokio::test]
async fn a_claims_challenge_is_readable_from_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/ada"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header(
                    "WWW-Authenticate",
                    r#"Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ==""#,
                )
                .set_body_json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Continuous access evaluation resulted in claims challenge"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .users()
        .item("ada")
        .get()
        .await
        .expect_err("a claims challenge is an error");
    assert!(err.is_unauthorized());
    assert_eq!(
        err.claims_challenge().as_deref(),
        Some(r#"{"access_token":{"nbf":{"essential":true}}}"#)
    );
}

/// A file's content: Graph answers `302 Found` with a pre-authenticated URL
/// on another host; the client follows it and gets the bytes, and the
/// download host never sees the bearer token.
#[tokio::test]
async fn a_download_follows_the_redirect_without_the_token() {
    let graph = MockServer::start().await;
    let storage = MockServer::start().await;
    let download = format!("{}/download/notes.txt?tempauth=abc", storage.uri());
    Mock::given(method("GET"))
        .and(path("/drives/d1/items/i1/content"))
        .and(wiremock::matchers::header("authorization", "Bearer token"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", download.as_str()))
        .expect(1)
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/download/notes.txt"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(b"The contents of the file go here.".to_vec()),
        )
        .expect(1)
        .mount(&storage)
        .await;
    let bytes = client(&graph)
        .drives()
        .item("d1")
        .items()
        .item("i1")
        .content()
        .get()
        .await
        .expect("the content")
        .bytes()
        .await
        .expect("the bytes");
    assert_eq!(&bytes[..], b"The contents of the file go here.");
    let received = storage.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 1);
    assert!(
        !received[0].headers.contains_key("authorization"),
        "the download host got the token: {:?}",
        received[0].headers
    );
}

/// A small upload: the bytes as they are, with the content type the caller
/// names, and the item Graph answers typed.
#[tokio::test]
async fn a_small_upload_sends_the_bytes_and_reads_the_item() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/drives/d1/items/i1/content"))
        .and(wiremock::matchers::header("content-type", "text/markdown"))
        .and(wiremock::matchers::body_bytes(b"# Notes".to_vec()))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "i1", "name": "notes.md", "size": 7
        })))
        .expect(1)
        .mount(&server)
        .await;
    let item = client(&server)
        .drives()
        .item("d1")
        .items()
        .item("i1")
        .content()
        .replace(Content::bytes("# Notes").content_type("text/markdown"))
        .await
        .expect("the item")
        .expect("a body");
    assert_eq!(item.size, Nullable::Value(7));
    assert_eq!(item.name, Nullable::Value("notes.md".to_owned()));
}

/// The application's side of the closing note's samples: each runs as an
/// application writes it, against a mock Graph and the hosts it hands off
/// to (storage, a monitor, the identity platform).
mod files_and_sign_in {
    use super::*;
    use graph_sdk::models::{
        DriveItem, DriveItemCopyBody, DriveItemCreateUploadSessionBody, ItemReference,
        UploadSession,
    };
    use graph_sdk::{ClientCredentials, Cloud, LargeFileUpload, OperationState};
    use std::sync::{Arc, Mutex};
    use wiremock::{Request as Received, Respond};

    /// Prints what each server received, one line per request, as the
    /// closing note shows it (`cargo test -p xtask --test integration
    /// files_and_sign_in -- --nocapture`).
    async fn print_wire(flow: &str, servers: &[(&str, &MockServer)]) {
        let mut lines = Vec::new();
        for (name, server) in servers {
            for r in server.received_requests().await.unwrap_or_default() {
                let header = |h: &str| {
                    r.headers
                        .get(h)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let mut line = format!("{name}: {} {}", r.method, r.url.path());
                if let Some(q) = r.url.query() {
                    line.push_str(&format!("?{q}"));
                }
                if let Some(auth) = header("authorization") {
                    line.push_str(&format!(
                        " | Authorization: {}",
                        auth.split_whitespace().next().unwrap_or("")
                    ));
                }
                for h in ["content-range", "content-type", "sdkversion"] {
                    if let Some(v) = header(h) {
                        line.push_str(&format!(" | {h}: {v}"));
                    }
                }
                if !r.body.is_empty() {
                    line.push_str(&format!(" | body: {} bytes", r.body.len()));
                }
                lines.push(line);
            }
        }
        eprintln!("--- {flow}\n{}", lines.join("\n"));
    }

    /// Download a file to disk: Graph redirects to a storage host, which
    /// gets no token; the file is written as it arrives.
    #[tokio::test]
    async fn download_a_file_to_disk() {
        let (graph, storage) = (MockServer::start().await, MockServer::start().await);
        let content: Vec<u8> = (0..6_000_000_u32).map(|i| (i % 251) as u8).collect();
        Mock::given(method("GET"))
            .and(path("/me/drive/items/01REPORT/content"))
            .respond_with(ResponseTemplate::new(302).insert_header(
                "Location",
                format!("{}/files/report.pdf?tempauth=abc", storage.uri()).as_str(),
            ))
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/files/report.pdf"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(content.clone()))
            .mount(&storage)
            .await;
        let dir = std::env::temp_dir().join(format!("graph-sdk-download-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let target = dir.join("report.pdf");

        let client = client(&graph);
        let file = client
            .me()
            .drive()
            .items()
            .item("01REPORT")
            .content()
            .get()
            .await
            .expect("answered");
        let written = file.save(&target).await.expect("saved");

        print_wire(
            "download a file to disk",
            &[("graph", &graph), ("storage", &storage)],
        )
        .await;
        assert_eq!(written, content.len() as u64);
        assert_eq!(std::fs::read(&target).expect("read back"), content);
        let fetched = storage.received_requests().await.expect("recorded");
        assert!(
            fetched
                .iter()
                .all(|r| !r.headers.contains_key("authorization"))
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    /// A storage host's upload session: it keeps what it receives, and
    /// fails the slice at `fail_at` once with a 500 and then, when
    /// `drop_after` is set, every slice from there on.
    #[derive(Clone, Default)]
    struct Storage(Arc<Mutex<Kept>>);

    #[derive(Default)]
    struct Kept {
        received: Vec<u8>,
        ranges: Vec<String>,
        tokens: usize,
        down: bool,
    }

    impl Respond for Storage {
        fn respond(&self, request: &Received) -> ResponseTemplate {
            let mut kept = self.0.lock().expect("lock");
            if request.headers.contains_key("authorization") {
                kept.tokens += 1;
            }
            let next = |n: usize| json!({"nextExpectedRanges": [format!("{n}-")], "expirationDateTime": "2026-12-05T00:00:00Z"});
            if request.method.as_str() == "GET" {
                return ResponseTemplate::new(200).set_body_json(next(kept.received.len()));
            }
            let range = request.headers["content-range"]
                .to_str()
                .expect("range")
                .to_owned();
            kept.ranges.push(range.clone());
            if kept.down {
                return ResponseTemplate::new(503);
            }
            let (span, total) = range
                .trim_start_matches("bytes ")
                .split_once('/')
                .expect("total");
            let start: usize = span
                .split('-')
                .next()
                .expect("start")
                .parse()
                .expect("number");
            if start != kept.received.len() {
                return ResponseTemplate::new(416);
            }
            kept.received.extend_from_slice(&request.body);
            if kept.received.len() == total.parse::<usize>().expect("number") {
                ResponseTemplate::new(201).set_body_json(
                    json!({"id": "01VIDEO", "name": "video.mp4", "size": kept.received.len()}),
                )
            } else {
                ResponseTemplate::new(202).set_body_json(next(kept.received.len()))
            }
        }
    }

    /// Upload a 50 MB file through an upload session, resume it after the
    /// storage host failed a slice, and read the item typed.
    #[tokio::test]
    async fn upload_a_large_file_through_a_session_and_resume_it() {
        let (graph, storage) = (MockServer::start().await, MockServer::start().await);
        let kept = Storage::default();
        for verb in ["PUT", "GET"] {
            Mock::given(method(verb))
                .respond_with(kept.clone())
                .mount(&storage)
                .await;
        }
        Mock::given(method("POST"))
            .and(path("/me/drive/items/root:/video.mp4:/createUploadSession"))
            .and(body_json(
                json!({"item": {"@microsoft.graph.conflictBehavior": "rename"}}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "uploadUrl": format!("{}/upload/abc?tempauth=xyz", storage.uri()),
                "expirationDateTime": "2026-12-05T00:00:00Z",
                "nextExpectedRanges": ["0-"]
            })))
            .mount(&graph)
            .await;
        let video: Vec<u8> = (0..50_000_000_u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let path_on_disk =
            std::env::temp_dir().join(format!("graph-sdk-video-{}.mp4", std::process::id()));
        std::fs::write(&path_on_disk, &video).expect("file");
        let client = client(&graph);

        // Open the session: keep both names if one is taken.
        let mut item = graph_sdk::models::DriveItemUploadableProperties::default();
        item.additional_properties
            .insert("@microsoft.graph.conflictBehavior", json!("rename"));
        let body = DriveItemCreateUploadSessionBody {
            item: Some(item),
            ..Default::default()
        };
        let session: UploadSession = client
            .me()
            .drive()
            .items()
            .parent_id_path("root", "video.mp4")
            .create_upload_session(&body)
            .await
            .expect("a session")
            .expect("its body");
        let upload_url = session.upload_url.value().expect("an upload URL").clone();

        // The storage host goes down after four slices, once.
        let progress = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&progress);
        let watcher = kept.clone();
        let tripped = std::sync::atomic::AtomicBool::new(false);
        let upload = LargeFileUpload::new(client.connection(), upload_url).on_progress(move |p| {
            seen.lock().expect("lock").push(p.sent);
            if p.sent >= 4 * 5 * 1024 * 1024
                && !tripped.swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                watcher.0.lock().expect("lock").down = true;
            }
        });
        let failed = upload
            .upload_file::<DriveItem>(&path_on_disk)
            .await
            .expect_err("the host is down");
        assert_eq!(failed.status(), Some(503));
        assert_eq!(
            kept.0.lock().expect("lock").received.len(),
            4 * 5 * 1024 * 1024
        );

        // Later (another run would do the same): the host is back; go on.
        kept.0.lock().expect("lock").down = false;
        let uploaded: DriveItem = upload.upload_file(&path_on_disk).await.expect("uploaded");

        print_wire(
            "upload through a session",
            &[("graph", &graph), ("storage", &storage)],
        )
        .await;
        assert_eq!(uploaded.id.value().map(String::as_str), Some("01VIDEO"));
        assert_eq!(uploaded.size, Nullable::Value(50_000_000));
        let kept = kept.0.lock().expect("lock");
        assert!(
            kept.received == video,
            "the storage host has the file, in order"
        );
        assert_eq!(kept.tokens, 0, "no slice carried the token");
        let slices = kept.ranges.iter().filter(|r| !r.is_empty()).count();
        // 10 slices of 5 MiB; the fifth refused four times (once, then the
        // policy's three retries), and sent again once the host was back.
        assert_eq!(slices, 10 + 4);
        assert_eq!(kept.ranges[0], "bytes 0-5242879/50000000");
        assert_eq!(
            kept.ranges.last().map(String::as_str),
            Some("bytes 47185920-49999999/50000000")
        );
        assert_eq!(progress.lock().expect("lock").last(), Some(&50_000_000));
        std::fs::remove_file(&path_on_disk).expect("clean up");
    }

    /// Copy an item and wait for the copy.
    #[tokio::test]
    async fn copy_an_item_and_wait_for_it() {
        let (graph, monitor) = (MockServer::start().await, MockServer::start().await);
        Mock::given(method("POST"))
            .and(path("/me/drive/items/01NOTES/copy"))
            .and(body_json(
                json!({"parentReference": {"id": "01ARCHIVE"}, "name": "notes (2021).txt"}),
            ))
            .respond_with(ResponseTemplate::new(202).insert_header(
                "Location",
                format!("{}/monitor/4A3407B5", monitor.uri()).as_str(),
            ))
            .expect(1)
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/monitor/4A3407B5"))
            .respond_with(ResponseTemplate::new(202).insert_header("Retry-After", "0").set_body_json(
                json!({"operation": "ItemCopy", "status": "inProgress", "percentageComplete": 62.5}),
            ))
            .up_to_n_times(2)
            .mount(&monitor)
            .await;
        Mock::given(method("GET"))
            .and(path("/monitor/4A3407B5"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"operation": "ItemCopy", "status": "completed", "resourceId": "01COPY"}),
            ))
            .mount(&monitor)
            .await;
        let client = client(&graph);

        let body = DriveItemCopyBody {
            parent_reference: Some(ItemReference {
                id: "01ARCHIVE".into(),
                ..Default::default()
            }),
            name: Some("notes (2021).txt".into()),
        };
        let copy = client
            .me()
            .drive()
            .items()
            .item("01NOTES")
            .copy(&body)
            .start_operation()
            .await
            .expect("accepted");
        let done = copy
            .timeout(Duration::from_secs(60))
            .wait()
            .await
            .expect("copied");

        print_wire("copy and wait", &[("graph", &graph), ("monitor", &monitor)]).await;
        assert_eq!(done.state, OperationState::Succeeded);
        assert_eq!(done.resource_id.as_deref(), Some("01COPY"));
        let polls = monitor.received_requests().await.expect("recorded");
        assert_eq!(polls.len(), 3);
        assert!(
            polls
                .iter()
                .all(|p| !p.headers.contains_key("authorization"))
        );
    }

    /// Sign in as an app with client credentials, in a national cloud;
    /// concurrent calls share one token request.
    #[tokio::test]
    async fn sign_in_with_client_credentials() {
        let (login, graph) = (MockServer::start().await, MockServer::start().await);
        Mock::given(method("POST"))
            .and(path("/contoso.onmicrosoft.com/oauth2/v2.0/token"))
            .and(wiremock::matchers::body_string_contains("grant_type=client_credentials"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_delay(Duration::from_millis(100))
                    .set_body_json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "eyJ0.app"})),
            )
            .expect(1)
            .mount(&login)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1.0/users/ada@contoso.com"))
            .and(wiremock::matchers::header(
                "authorization",
                "Bearer eyJ0.app",
            ))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "u1", "displayName": "Ada"})),
            )
            .expect(8)
            .mount(&graph)
            .await;

        let client = Client::builder()
            .cloud(Cloud::custom(login.uri(), graph.uri()))
            .token_provider(ClientCredentials::with_secret(
                "contoso.onmicrosoft.com",
                "11111111-app",
                "app-secret",
            ))
            .build()
            .expect("a client");
        let mut reads = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let client = client.clone();
            reads.spawn(async move { client.users().item("ada@contoso.com").get().await });
        }
        let users = reads.join_all().await;

        print_wire(
            "sign in with client credentials",
            &[("login", &login), ("graph", &graph)],
        )
        .await;
        assert!(users.iter().all(|u| {
            u.as_ref()
                .is_ok_and(|u| u.display_name == Nullable::Value("Ada".to_owned()))
        }));
        let asked = graph.received_requests().await.expect("recorded");
        let sdk = asked[0].headers["sdkversion"].to_str().expect("text");
        assert!(
            sdk.starts_with("graph-sdk/") && sdk.contains(", graph-rust-core/"),
            "{sdk}"
        );
    }
}
