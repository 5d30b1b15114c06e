{{- define "berth.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "berth.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "berth.labels" -}}
{{ include "berth.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels of a part the chart runs beside Berth (postgresql, redis). */}}
{{- define "berth.partSelectorLabels" -}}
app.kubernetes.io/name: {{ .part }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: {{ .root.Chart.Name }}
{{- end -}}

{{- define "berth.partLabels" -}}
{{ include "berth.partSelectorLabels" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "berth.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/*
A secret value the chart makes up when none is given: kept from the secret already in the cluster on
an upgrade (lookup), so that a token or password is not changed behind the operator's back.
Arguments: root, secret (name), key, value (given; empty means generate).
*/}}
{{- define "berth.secretValue" -}}
{{- if .value -}}
{{- .value -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if and $existing (index $existing.data .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 40 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "berth.pkiKeySecret" -}}
{{- .Values.pki.keyEncryption.existingSecret | default (printf "%s-pki-key" (include "berth.fullname" .)) -}}
{{- end -}}

{{- define "berth.adminSecret" -}}
{{- .Values.adminToken.existingSecret | default (printf "%s-admin" (include "berth.fullname" .)) -}}
{{- end -}}

{{/* Postgres: the chart's own, or an external server. */}}
{{- define "berth.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "berth.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "berth.database.secret" -}}
{{- if .Values.postgresql.enabled -}}
{{- .Values.postgresql.auth.existingSecret | default (include "berth.postgresql.fullname" .) -}}
{{- else -}}
{{- .Values.externalDatabase.existingSecret | default (printf "%s-database" (include "berth.fullname" .)) -}}
{{- end -}}
{{- end -}}

{{- define "berth.database.secretKey" -}}
{{- if .Values.postgresql.enabled -}}password{{- else -}}{{ .Values.externalDatabase.existingSecretPasswordKey }}{{- end -}}
{{- end -}}

{{- define "berth.database.url" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "berth.postgresql.fullname" .) .Values.postgresql.auth.database -}}
{{- else -}}
{{- required "externalDatabase.url is required when postgresql.enabled=false" .Values.externalDatabase.url -}}
{{- end -}}
{{- end -}}

{{- define "berth.database.username" -}}
{{- if .Values.postgresql.enabled -}}{{ .Values.postgresql.auth.username }}{{- else -}}{{ .Values.externalDatabase.username }}{{- end -}}
{{- end -}}

{{/* Redis: the chart's own, or an external server. */}}
{{- define "berth.redis.fullname" -}}
{{- printf "%s-redis" (include "berth.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "berth.redis.url" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s:6379/0" (include "berth.redis.fullname" .) -}}
{{- else -}}
{{- required "externalRedis.url is required when redis.enabled=false" .Values.externalRedis.url -}}
{{- end -}}
{{- end -}}

{{- define "berth.redis.secret" -}}
{{- .Values.externalRedis.existingSecret | default (printf "%s-redis" (include "berth.fullname" .)) -}}
{{- end -}}

{{- define "berth.redis.hasPassword" -}}
{{- if and (not .Values.redis.enabled) (or .Values.externalRedis.existingSecret .Values.externalRedis.password) -}}true{{- end -}}
{{- end -}}

{{/* Certificates and keys, mounted as files: Berth reads PEM files (and reloads them when they change). */}}
{{- define "berth.tls.secret" -}}
{{- .Values.tls.existingSecret | default (printf "%s-tls" (include "berth.fullname" .)) -}}
{{- end -}}

{{- define "berth.tls.given" -}}
{{- if or .Values.tls.existingSecret .Values.tls.certificate -}}true{{- end -}}
{{- end -}}

{{- define "berth.pki.secret" -}}
{{- .Values.pki.existingSecret | default (printf "%s-pki" (include "berth.fullname" .)) -}}
{{- end -}}

{{- define "berth.pki.given" -}}
{{- if or .Values.pki.existingSecret .Values.pki.caCertificate -}}true{{- end -}}
{{- end -}}

{{- define "berth.proxmox.secret" -}}
{{- .Values.proxmox.existingSecret | default (printf "%s-proxmox" (include "berth.fullname" .)) -}}
{{- end -}}

{{- define "berth.proxmox.engineTlsSecret" -}}
{{- .Values.proxmox.engineTls.existingSecret | default (printf "%s-proxmox-engine-tls" (include "berth.fullname" .)) -}}
{{- end -}}

{{- define "berth.apexUrl" -}}
{{- .Values.routes.apex.url | default (printf "http://%s.%s.svc:%d" (include "berth.fullname" .) .Release.Namespace (int .Values.service.dockerPort)) -}}
{{- end -}}

{{- define "berth.mailSecret" -}}
{{- .Values.signup.smtp.existingSecret | default (printf "%s-mail" (include "berth.fullname" .)) -}}
{{- end }}
