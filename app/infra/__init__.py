"""Infrastructure, grouped by what it speaks to: MongoDB (mongo/, one store per aggregate;
files/, GridFS), Redis (redis/), HTTP (http/); settings, metrics and log lines here."""
