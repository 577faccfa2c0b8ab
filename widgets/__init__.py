"""The Qt interface of OCPP Scope. It adapts engine data (`app/`) to Qt models and views;
the engine never imports anything from here."""
