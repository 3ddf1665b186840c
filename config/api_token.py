"""A user's own API token: create or regenerate it (POST), revoke it (DELETE).

Only a browser session may do this (not a token: a leaked token must not be able to
mint its successor). Tokens live in the syndicate's schema like the users, so a token
of one syndicate means nothing on another's address. Both actions are audited.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsMemberSpaceUser
from accounts.audit import audit_record
from accounts.models import User

TOKEN_RESPONSE = inline_serializer(
    name="ApiToken",
    fields={"token": serializers.CharField(), "created": serializers.DateTimeField()},
)


class ApiTokenView(APIView):
    """The requesting user's API token (``Authorization: Token <key>``)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsMemberSpaceUser]

    @extend_schema(
        summary="Créer ou régénérer mon jeton d'API",
        description="Remplace le jeton existant : l'ancien cesse immédiatement de fonctionner.",
        request=None,
        responses={200: TOKEN_RESPONSE, 403: OpenApiResponse(description="Session requise.")},
    )
    def post(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        with transaction.atomic():
            replaced = Token.objects.filter(user=user).delete()[0] > 0
            token = Token.objects.create(user=user)
            audit_record(
                action="api_token.regenerated" if replaced else "api_token.created",
                actor=user,
                request=request._request,
                target=user,
            )
        return Response({"token": token.key, "created": token.created}, status=status.HTTP_200_OK)

    @extend_schema(
        summary="Révoquer mon jeton d'API",
        request=None,
        responses={204: None, 403: OpenApiResponse(description="Session requise.")},
    )
    def delete(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        with transaction.atomic():
            if Token.objects.filter(user=user).delete()[0]:
                audit_record(action="api_token.revoked", actor=user, request=request._request, target=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
