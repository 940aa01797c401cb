//go:build tools

// Package tools pins livekit-sip, LiveKit's SIP worker, for scripts/setup.sh to build
// through the Go module proxy (`go install pkg@version` is refused there: it looks up the
// module's version list for deprecations, which the proxy does not serve).
package tools

import _ "github.com/livekit/sip/cmd/livekit-sip"
