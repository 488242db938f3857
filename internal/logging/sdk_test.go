package logging

import (
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
)

func TestSDKLevels(t *testing.T) {
	for _, tc := range []struct {
		ev   log.Event
		msg  string
		want Level
	}{
		{log.EventRequest, "==> OUTGOING REQUEST (Try=1)", Debug},
		{log.EventResponse, "==> REQUEST/RESPONSE (Try=1/1.2ms, OpTime=1.3ms) -- RESPONSE RECEIVED", Debug},
		{log.EventResponseError, "PUT https://h/c/x\n----\nRESPONSE 403: 403 Forbidden\nERROR CODE: AuthorizationFailure\n----", Info},
		{log.EventResponseError, "HEAD https://h/c/x\n----\nRESPONSE 404: 404 Not Found\nERROR CODE: BlobNotFound\n----", Debug},
		{log.EventResponseError, "PUT https://h/c\n----\nRESPONSE 409: 409 Conflict\nERROR CODE: ContainerAlreadyExists\n----", Debug},
		{log.EventResponseError, "PUT https://h/c/x\n----\nRESPONSE 409: 409 Conflict\nERROR CODE: LeaseIdMissing\n----", Info},
		{log.EventRetryPolicy, "=====> Try=1 for GET https://h/c/x", Debug},
		{log.EventRetryPolicy, "response 200", Debug},
		{log.EventRetryPolicy, "exit due to non-retriable status code", Debug},
		{log.EventRetryPolicy, "End Try #1, Delay=812ms", Info},
		{log.EventRetryPolicy, "=====> Try=2 for GET https://h/c/x", Info},
		{log.EventRetryPolicy, "error read: connection reset by peer", Warning},
		{log.EventRetryPolicy, "MaxRetries 3 exceeded", Warning},
		{log.EventRetryPolicy, "abort due to context canceled", Warning},
		{eventAuthentication, "ManagedIdentityCredential.GetToken() acquired a token", Info},
		{log.EventLRO, "poll", Debug},
		{"azblob.Upload", "chunk", Debug},
	} {
		if got := sdkLevel(tc.ev, tc.msg); got != tc.want {
			t.Errorf("sdkLevel(%s, %q) = %v; want %v", tc.ev, tc.msg, got, tc.want)
		}
	}
}

func TestSDKListenerWritesRedacted(t *testing.T) {
	l, err := Open(t.TempDir(), "job", Info)
	if err != nil {
		t.Fatal(err)
	}
	listen := l.SDKListener()
	listen(log.EventRetryPolicy, "=====> Try=1 for GET https://h/c?sig=aaaaaaaaaa") // DEBUG: dropped
	listen(log.EventRetryPolicy, "=====> Try=2 for GET https://h/c?sig=aaaaaaaaaa")
	listen(log.EventRequest, "Authorization: Bearer tok") // DEBUG: dropped
	got := readLog(t, l)
	if strings.Count(got, "\n") != 1 || !strings.Contains(got, "INFO: SDK Retry: =====> Try=2 for GET https://h/c?sig=REDACTED\n") {
		t.Errorf("log = %q", got)
	}
}

func TestSDKListenerAndEventsPerLevel(t *testing.T) {
	for _, tc := range []struct {
		level    Level
		listener bool
		events   []log.Event
	}{
		{Debug, true, nil},
		{Info, true, []log.Event{log.EventResponseError, log.EventRetryPolicy, eventAuthentication}},
		{Warning, true, []log.Event{log.EventRetryPolicy}},
		{Error, false, nil},
	} {
		l, err := Open(t.TempDir(), "job", tc.level)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.SDKListener() != nil; got != tc.listener {
			t.Errorf("%v: SDKListener() != nil is %v", tc.level, got)
		}
		if tc.listener && !slices.Equal(l.SDKEvents(), tc.events) {
			t.Errorf("%v: SDKEvents() = %v; want %v", tc.level, l.SDKEvents(), tc.events)
		}
		_ = l.Close()
	}
}
