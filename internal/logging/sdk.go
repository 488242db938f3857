package logging

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
)

// eventAuthentication is azidentity.EventAuthentication, spelled out so that
// logging does not import the credential package.
const eventAuthentication log.Event = "Authentication"

// SDKListener returns a listener for azcore/log.SetListener that writes the
// Azure SDK's events into this log, redacted, at these levels:
//
//   - ResponseError (a non-2xx answer): INFO, since azsync logs the failures that matter itself,
//     at ERROR; DEBUG for the answers that probing expects (see expectedAnswer), so that a
//     default log holds no error block for a destination that simply does not exist yet;
//   - Retry: INFO for a retry being scheduled or attempted ("End Try #n",
//     "Try=n" with n > 1), WARNING for a transport error, an abort or giving
//     up, DEBUG for the bookkeeping every request produces (first try, status
//     received, "exit due to …");
//   - Authentication (azidentity): INFO;
//   - Request, Response (full headers), LongRunningOperation and anything
//     else: DEBUG.
//
// The reference logs every request and response at INFO; azsync keeps them
// for DEBUG so that the default log stays small and cheap to write. Below
// WARNING no SDK event would be written, so it returns nil: no listener, and
// the SDK then skips formatting altogether.
func (l *Logger) SDKListener() func(log.Event, string) {
	if !l.Enabled(Warning) {
		return nil
	}
	return func(ev log.Event, msg string) {
		level := sdkLevel(ev, msg)
		if l.Enabled(level) {
			l.write(level, "SDK "+string(ev)+": "+msg)
		}
	}
}

// SDKEvents returns the events worth passing to azcore/log.SetEvents at this
// logger's level, so the SDK does not format messages that would be dropped.
// It returns nil, which SetEvents takes as "all events", at DEBUG.
func (l *Logger) SDKEvents() []log.Event {
	switch {
	case l.Enabled(Debug):
		return nil
	case l.Enabled(Info):
		return []log.Event{log.EventResponseError, log.EventRetryPolicy, eventAuthentication}
	default:
		return []log.Event{log.EventRetryPolicy}
	}
}

func sdkLevel(ev log.Event, msg string) Level {
	switch ev {
	case log.EventRetryPolicy:
		return retryLevel(msg)
	case log.EventResponseError:
		if expectedAnswer(msg) {
			return Debug
		}
		return Info
	case eventAuthentication:
		return Info
	default:
		return Debug
	}
}

// retryLevel classifies azcore's retry policy messages, which it writes for
// every request, not only for retries.
func retryLevel(msg string) Level {
	switch {
	case strings.HasPrefix(msg, "=====> Try=1 "):
		return Debug
	case strings.HasPrefix(msg, "=====> Try="), strings.HasPrefix(msg, "End Try #"):
		return Info
	case strings.HasPrefix(msg, "error "), strings.HasPrefix(msg, "abort due to"),
		strings.HasPrefix(msg, "MaxRetries"), strings.HasPrefix(msg, "Retry-After delay"):
		return Warning
	default:
		return Debug
	}
}

// expectedAnswer tells, from azcore's text of a response error ("GET <url>\n---\nRESPONSE 404:
// …\nERROR CODE: …"), the answers azsync asks for on purpose: a 404 (is there a blob, a file or
// a directory by that name?) and the 409s of creating what may exist already or probing a name as
// the wrong type. A failure among them that matters is logged by azsync itself, at ERROR.
func expectedAnswer(msg string) bool {
	if strings.Contains(msg, "\nRESPONSE 404:") {
		return true
	}
	if !strings.Contains(msg, "\nRESPONSE 409:") {
		return false
	}
	for _, code := range []string{"ContainerAlreadyExists", "ShareAlreadyExists", "ResourceAlreadyExists", "ResourceTypeMismatch"} {
		if strings.Contains(msg, "\nERROR CODE: "+code+"\n") {
			return true
		}
	}
	return false
}
