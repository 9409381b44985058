{{- define "pr-pod-serve.name" -}}{{ printf "%s-serve" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "pr-pod-serve.runNamespace" -}}{{ default .Release.Namespace .Values.runNamespace }}{{- end -}}
{{- define "pr-pod-serve.secretName" -}}{{ default (include "pr-pod-serve.name" .) .Values.existingSecret }}{{- end -}}
{{- define "pr-pod-serve.labels" -}}
app.kubernetes.io/name: pr-pod-serve
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "pr-pod-serve.selector" -}}
app.kubernetes.io/name: pr-pod-serve
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
