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
//   - ResponseError (a non-2xx answer): INFO, since many are expected (a 404 while probing whether a
//     name is a blob) and azsync logs the failures that matter itself, at ERROR;
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
	case eventAuthentication, log.EventResponseError:
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
