package filesemu

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// OAuth (Microsoft Entra ID) bearer tokens. The emulator cannot verify an
// Entra signature, so it checks what it can, as Azurite does: the token is a
// JWT whose audience is Azure Storage (or this account), and it is within its
// validity window. As on the service, file and directory operations need
// x-ms-file-request-intent: backup with a token, and share and account
// management goes through the resource provider, not OAuth on the data plane.

// checkBearer validates "Bearer TOKEN" for op.
func (s *Server) checkBearer(r *http.Request, op *operation, token string) error {
	if err := s.checkToken(token); err != nil {
		return err
	}
	if !op.oauth {
		return newError(http.StatusForbidden, "FileOAuthManagementApiRestrictedToSrp",
			"Management APIs are not supported with OAuth on the data plane; use the storage resource provider.")
	}
	if !strings.EqualFold(r.Header.Get("x-ms-file-request-intent"), "backup") {
		return errMissingHeader("x-ms-file-request-intent")
	}
	return nil
}

// checkToken checks a JWT's shape, audience and validity window.
func (s *Server) checkToken(token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errInvalidToken("The token is not a JWT.")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return errInvalidToken("The token's payload is not base64url.")
	}
	var claims struct {
		Aud audience `json:"aud"`
		Exp int64    `json:"exp"`
		Nbf int64    `json:"nbf"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return errInvalidToken("The token's payload is not JSON.")
	}
	if !claims.Aud.storage(s.account) {
		return errInvalidToken("The token's audience is not Azure Storage.")
	}
	now := time.Now()
	if claims.Exp == 0 || now.After(time.Unix(claims.Exp, 0).Add(maxClockSkew)) {
		return errInvalidToken("The token has expired.")
	}
	if claims.Nbf != 0 && now.Add(maxClockSkew).Before(time.Unix(claims.Nbf, 0)) {
		return errInvalidToken("The token is not valid yet.")
	}
	return nil
}

// audience is a JWT "aud": one string or several.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

func (a audience) storage(account string) bool {
	for _, v := range a {
		v = strings.TrimSuffix(strings.ToLower(v), "/")
		if v == "https://storage.azure.com" || strings.HasPrefix(v, "https://"+strings.ToLower(account)+".file.") {
			return true
		}
	}
	return false
}

func errInvalidToken(detail string) *apiError {
	e := newError(http.StatusUnauthorized, "InvalidAuthenticationInfo",
		"Server failed to authenticate the request. Please refer to the information in the www-authenticate header.")
	e.authDetail = detail
	e.header = map[string]string{"WWW-Authenticate": "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize resource_id=https://storage.azure.com"}
	return e
}
